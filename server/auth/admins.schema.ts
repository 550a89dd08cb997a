import { z } from "zod";
import { ROLES } from "../core/auth/principals.js";
import { keyed } from "../core/validation.js";
import { isStrongEnough, PASSWORD_RULE } from "./passwords.js";

export const adminInputSchema = z.object({
  email: z
    .string({ required_error: "Email is required" })
    .trim()
    .min(1, "Email is required")
    .max(191)
    .email("is not a valid email address"),
  name: z
    .string({ required_error: "Name is required" })
    .trim()
    .min(1, "Name is required")
    .max(100, "must be at most 100 characters"),
  role: z.enum(ROLES, { errorMap: () => ({ message: `must be one of ${ROLES.join(", ")}` }) }).default("admin"),
  password: z
    .string({ required_error: "Password is required" })
    .refine(isStrongEnough, keyed("validation:passwordRule", PASSWORD_RULE)),
});
