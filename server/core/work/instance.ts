import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

/**
 * This process, as the holder of leases: host, pid and a random part (a pid is reused
 * after a restart, and containers share host names). At most 36 characters, so that a claim
 * token built on it fits the 64-character lease columns.
 */
export const INSTANCE_ID = `${hostname().slice(0, 20)}:${process.pid}:${randomBytes(3).toString("hex")}`;
