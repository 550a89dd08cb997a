import { z } from "zod";

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .optional()
  .catch(undefined);

/** The audit page's filters: anything malformed is left out rather than refused. */
export const auditFilters = z.object({
  action: z.string().max(64).optional().catch(undefined),
  actor: z.string().max(191).optional().catch(undefined),
  targetType: z.string().max(32).optional().catch(undefined),
  targetId: z.string().max(64).optional().catch(undefined),
  from: day,
  to: day,
  page: z.coerce.number().int().min(1).max(100000).catch(1),
});
