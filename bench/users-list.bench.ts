import { insertMemberships } from "../server/people/groups.repo.js";
import { insertImportedUsers, type UserRow } from "../server/people/users.repo.js";
import { createApiKey, createStaff, startTestApp } from "../test/support/app.js";
import type { Dialect } from "../test/support/databases.js";
import { person, personRow, rng } from "./people-data.js";
import { sample, summary } from "./stats.js";

export const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 100_000);
const N = Number(process.env.BENCH_REQUESTS ?? 200);

const LIST_QUERIES = [
  "",
  "status=pending",
  "status=active&sort=created&dir=desc",
  "page=40",
  "department=Warehouse",
  "site=Madrid&status=pending",
  "group=3",
  "sort=department",
];
const SEARCH_QUERIES = ["garc", "lucía", "maria lopez", "juan.", "E000123", "+3461001", "612", "perez gomez", "smith", "zo"];

/** Seeds `PEOPLE` people in groups, straight through the repository (no HTTP), in one go. */
export async function seedPeople(db: import("knex").Knex) {
  const rand = rng(7);
  const now = Date.now();
  const groupIds: number[] = [];
  for (let g = 1; g <= 20; g++) {
    const [id] = await db("groups").insert({
      name: `Group ${g}`,
      name_normalized: `group ${g}`,
      created_at: now,
      updated_at: now,
    });
    groupIds.push(Number(id));
  }
  const chunk = 5_000;
  for (let start = 0; start < PEOPLE; start += chunk) {
    const rows: Array<UserRow & { import_row: number }> = [];
    for (let i = start; i < Math.min(PEOPLE, start + chunk); i++) {
      const p = person(i, rand);
      rows.push(personRow(p, i + 1, now - (PEOPLE - i) * 1000));
    }
    await db.transaction(async (trx) => {
      const ids = await insertImportedUsers(trx, 1, rows);
      const members = ids.flatMap((id, k) => [
        { group_id: groupIds[k % 20] as number, user_id: id, added_at: now },
        ...(k % 3 === 0 ? [{ group_id: groupIds[(k + 7) % 20] as number, user_id: id, added_at: now }] : []),
      ]);
      await insertMemberships(trx, members);
    });
  }
}

export async function benchUsersList(dialect: Dialect): Promise<Record<string, ReturnType<typeof summary>>> {
  const app = await startTestApp(dialect);
  try {
    const seedStart = performance.now();
    await seedPeople(app.ctx.db);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const admin = await createStaff(app.ctx, "frontdesk");
    const sid = await app.ctx.sessions.create(admin.id, "127.0.0.1", "bench");
    const key = await createApiKey(app.ctx);
    const page = (path: string) =>
      fetch(app.url + path, { headers: { cookie: `isid=${sid}` } }).then(async (r) => {
        if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
        await r.arrayBuffer();
      });
    const api = (path: string) =>
      fetch(app.url + path, { headers: { authorization: `Bearer ${key}` } }).then(async (r) => {
        if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
        await r.arrayBuffer();
      });
    const pick = (list: string[], i: number) => list[i % list.length] as string;

    // Baselines in the same run: the HTTP floor, and a search without the term index.
    const floor = await sample(N, () => fetch(`${app.url}/healthz`).then((r) => r.arrayBuffer()));
    const results = {
      "baseline: GET /healthz": summary(floor),
      "page GET /users (list, filters)": summary(await sample(N, (i) => page(`/users?${pick(LIST_QUERIES, i)}`))),
      "page GET /users?q= (search)": summary(
        await sample(N, (i) => page(`/users?q=${encodeURIComponent(pick(SEARCH_QUERIES, i))}`)),
      ),
      "api GET /api/v1/users (list, filters)": summary(await sample(N, (i) => api(`/api/v1/users?${pick(LIST_QUERIES, i)}`))),
      "api GET /api/v1/users?q= (search)": summary(
        await sample(N, (i) => api(`/api/v1/users?q=${encodeURIComponent(pick(SEARCH_QUERIES, i))}`)),
      ),
    };
    // Last: SQLite runs queries on this thread, so the slow scan would stall the sockets above.
    const naive = await sample(
      Math.min(N, 60),
      (i) => {
        const term = `%${pick(SEARCH_QUERIES, i).toLowerCase()}%`;
        return app.ctx
          .db("users")
          .where("first_name", "like", term)
          .orWhere("last_name", "like", term)
          .orWhere("email", "like", term)
          .orWhere("phone", "like", term)
          .orWhere("employee_id", "like", term)
          .orderBy("sort_name")
          .limit(50)
          .then(() =>
            app.ctx
              .db("users")
              .where("first_name", "like", term)
              .orWhere("last_name", "like", term)
              .orWhere("email", "like", term)
              .orWhere("phone", "like", term)
              .orWhere("employee_id", "like", term)
              .count({ n: "*" }),
          );
      },
      3,
    );

    const baseline = { "baseline: LIKE '%q%' scan (db only)": summary(naive) };
    return {
      ...results,
      ...baseline,
      [`seed ${PEOPLE.toLocaleString("en-US")} people (s)`]: { p50: seedSeconds, p95: seedSeconds, p99: seedSeconds, n: 1 },
    };
  } finally {
    await app.stop();
  }
}
