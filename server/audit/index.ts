/** The feature's public face: other features import it only from here. */
export type { AuditLog } from "./audit.js";
