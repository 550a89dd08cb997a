import type { Knex } from "knex";
import type { EventBus } from "../core/events.js";
import { distinctValues } from "./users.repo.js";

const TTL_MS = 60_000;
const CHANGES = ["user.created", "user.updated", "user.erased", "users.imported"];

/**
 * The departments and sites offered as filters. Reading them scans the people, so they
 * are kept for a minute and dropped whenever people change in this process (another
 * instance's changes show within the minute).
 */
export class Facets {
  private cache = new Map<string, { at: number; values: Promise<string[]> }>();

  constructor(
    private db: Knex,
    events: EventBus,
  ) {
    for (const name of CHANGES) events.on(name, () => this.cache.clear());
  }

  values(column: "department" | "site"): Promise<string[]> {
    const hit = this.cache.get(column);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.values;
    const values = distinctValues(this.db, column);
    this.cache.set(column, { at: Date.now(), values });
    values.catch(() => this.cache.delete(column));
    return values;
  }
}
