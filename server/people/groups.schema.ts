import { z } from "zod";
import { keyed } from "../core/validation.js";

export const MAX_BULK_MEMBERS = 5000;

/** A group's name, from a form, an API body or an import's cell. */
export const groupNameSchema = z
  .string({ required_error: "Name is required", invalid_type_error: "must be text" })
  .trim()
  .min(1, "Name is required")
  .max(100, "must be at most 100 characters")
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), keyed("validation:noControl", "must not contain control characters"));

/** The body's `userIds` of POST /groups/:id/members (also what the API description shows). */
export const userIdsSchema = z
  .array(
    z
      .number({ invalid_type_error: "must contain person ids (whole numbers)" })
      .int("must contain whole numbers")
      .positive("must contain positive ids"),
    {
      required_error: "is required: a list of person ids",
      invalid_type_error: "must be a list of person ids",
    },
  )
  .max(MAX_BULK_MEMBERS, `at most ${MAX_BULK_MEMBERS} people at once`);
