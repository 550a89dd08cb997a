import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MAX_OPEN_PAIRINGS, PAIRINGS_PER_ADDRESS } from "../../kiosk/kiosks.service.js";
import { cliActor } from "../../server/core/events.js";
import type { UserInput } from "../../server/people/users.schema.js";
import { NUMBER_MAX_CODES } from "../../server/registrations/phone-otp.service.js";
import { ADMIN_PASSWORD, createStaff, startOn, startTestApp, type TestApp } from "../support/app.js";
import { PageClient } from "../support/browser-client.js";
import { type Answer, burst, postJson, send } from "../support/burst.js";
import { dialects, freshDatabase, type TestDatabase } from "../support/databases.js";
import { personInput } from "../support/people.js";
import { freePort, type Proc, runEntry, waitFor } from "../support/process.js";

const BURST = 1_000;
/** The invitation guessing limit: 20 a minute per address. */
const GUESSES = 20;
/** Wrong passwords for one account from one address before the growing wait. */
const FREE_SIGN_INS = 5;

let serial = 0;
const person = (fields: Partial<UserInput> = {}): UserInput =>
  personInput({ firstName: "Lim", lastName: `Ite ${++serial}`, language: "en", ...fields });
const nextPhone = () => `+1202555${String(2000 + (++serial % 7000)).padStart(4, "0")}`;

/** A wrong guess of the typed code's shape (8 of the unambiguous alphabet). */
const wrongCode = (i: number) => `ZZ${String(i).padStart(6, "2").replace(/[01]/g, "3")}`;

/** What a sign-in burst needs: a CSRF seed cookie and its token, from one login page. */
async function loginForm(baseUrl: string) {
  const res = await fetch(`${baseUrl}/login`);
  const cookie = (res.headers.getSetCookie().find((c) => c.startsWith("icsrf=")) ?? "").split(";")[0] as string;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await res.text())?.[1] as string;
  return (password: string, localAddress?: string, agent?: Parameters<typeof send>[1]["agent"]): Promise<Answer> =>
    send(`${baseUrl}/login`, {
      method: "POST",
      localAddress,
      agent,
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrf, email: "admin@example.com", password }).toString(),
    });
}

for (const dialect of await dialects()) {
  describe(`limits under bursts (${dialect})`, () => {
    let app: TestApp;
    const redeemUrl = () => `${app.url}/api/v1/invitations/redeem`;
    const guessRows = async (bucket: string, client: string) =>
      Number((await app.ctx.db("guess_failures").where({ bucket, client }).count({ n: "*" }).first())?.n);

    before(async () => {
      app = await startTestApp(dialect);
      await createStaff(app.ctx);
    });
    after(() => app?.stop());

    it(`evaluates at most ${GUESSES} of ${BURST} parallel wrong links and screen codes from one address`, async () => {
      const id = (await app.ctx.users.create(person(), cliActor())).id;
      const invitationId = (await app.ctx.invitations.current(id)).id;
      // Half link-shaped, half forged screen codes for a real invitation of the current window.
      const window = Math.floor(Date.now() / 20_000).toString(36);
      const token = (i: number) =>
        i % 2
          ? `${"L".repeat(38)}${String(i).padStart(5, "0")}`
          : `k${invitationId.toString(36)}.k.${window}.${"f".repeat(18)}${String(i).padStart(4, "0")}`;
      const { tally, of } = await burst(BURST, (i, agent) => postJson(redeemUrl(), { token: token(i) }, "127.0.0.21", agent));
      assert.ok(of(404) <= GUESSES, `evaluated ${of(404)}: ${JSON.stringify([...tally])}`);
      assert.equal(of(404) + of(429), BURST, JSON.stringify([...tally]));
      assert.ok((await guessRows("invitation", "127.0.0.21")) >= of(404), "every failure answered is counted");
      // And the client stays refused, a real link included.
      const real = (await app.ctx.invitations.current(id)).token;
      assert.equal((await postJson(redeemUrl(), { token: real }, "127.0.0.21")).status, 429);
      assert.equal((await app.ctx.users.get(id)).status, "pending");
    });

    it(`looks up at most ${GUESSES} wrong of ${BURST} parallel typed codes, the real one among them`, async () => {
      const id = (await app.ctx.users.create(person(), cliActor())).id;
      const { code } = await app.ctx.invitations.current(id);
      const { answers, of, tally } = await burst(BURST, (i, agent) =>
        postJson(redeemUrl(), { token: i === 500 ? code : wrongCode(i) }, "127.0.0.22", agent),
      );
      // A right code is no guess: it gives its count back, and one more may be looked up.
      assert.ok(of(404) <= GUESSES, `looked up ${of(404)} wrong ones: ${JSON.stringify([...tally])}`);
      assert.equal(of(404) + of(200) + of(429), BURST, JSON.stringify([...tally]));
      const joined = (await app.ctx.users.get(id)).status === "active";
      assert.equal(joined, (answers[500] as Answer).status === 200, "the person joined only if their code was looked up");
      assert.ok((await guessRows("invitation", "127.0.0.22")) <= GUESSES, "refused guesses are not left counted");
    });

    it(`signs in at most ${FREE_SIGN_INS} of ${BURST} parallel attempts, the right password at #30`, async () => {
      const login = await loginForm(app.url);
      const { answers, of, tally } = await burst(BURST, (i, agent) =>
        login(i === 30 ? ADMIN_PASSWORD : `wrong password ${i}`, "127.0.0.23", agent),
      );
      const checked = of(401) + of(303);
      assert.ok(checked <= FREE_SIGN_INS, `checked ${checked}: ${JSON.stringify([...tally])}`);
      assert.equal(checked + of(429), BURST, JSON.stringify([...tally]));
      const sessions = Number((await app.ctx.db("sessions").count({ n: "*" }).first())?.n);
      assert.equal(sessions, (answers[30] as Answer).status === 303 ? 1 : 0);
      await app.ctx.db("sessions").delete();
    });

    it("slows a password guesser at their address without locking the admin out, and tells the admin", async () => {
      const attacker = "198.51.100.7";
      for (let i = 0; i < FREE_SIGN_INS; i++) {
        await assert.rejects(app.ctx.admins.authenticate("admin@example.com", `guess ${i}`, attacker), { status: 401 });
      }
      await assert.rejects(
        app.ctx.admins.authenticate("admin@example.com", ADMIN_PASSWORD, attacker),
        (
          err: Error & {
            status: number;
            retryAfterSeconds: number;
          },
        ) => {
          assert.equal(err.status, 429);
          assert.ok(err.retryAfterSeconds > 0 && err.retryAfterSeconds <= 60, String(err.retryAfterSeconds));
          return true;
        },
      );
      // The wait grows: a minute later one more try, then two minutes. (The attempts are
      // moved back in time; another instance asks, as this one remembers its refusal.)
      await app.ctx.db("login_attempts").where({ ip: attacker }).decrement("at", 61_000);
      const other = await startOn(app.database);
      try {
        await assert.rejects(other.ctx.admins.authenticate("admin@example.com", "guess 6", attacker), { status: 401 });
        await assert.rejects(
          other.ctx.admins.authenticate("admin@example.com", "guess 7", attacker),
          (err: Error & { retryAfterSeconds: number }) => err.retryAfterSeconds > 60 && err.retryAfterSeconds <= 120,
        );
      } finally {
        await other.stop();
      }

      // The admin, at their own address, signs in at once and is told.
      const admin = new PageClient(app.url);
      await admin.get("/login");
      const signedIn = await admin.post("/login", { email: "admin@example.com", password: ADMIN_PASSWORD });
      assert.equal(signedIn.status, 303, signedIn.text.slice(0, 300));
      assert.equal(signedIn.headers.get("location"), "/dashboard?done=sign-in-failures");
      const dashboard = await admin.get("/dashboard?done=sign-in-failures");
      assert.match(dashboard.text, /Someone tried to sign in to your account with a wrong password/);
      const audit = await app.ctx.db("audit_log").where({ action: "admin.signed_in" }).orderBy("id", "desc").first();
      assert.match(String(audit?.summary), /wrong passwords? for this account since the previous sign-in/);
      // Told once: the next sign-in has nothing to tell.
      const again = new PageClient(app.url);
      await again.get("/login");
      assert.equal(
        (await again.post("/login", { email: "admin@example.com", password: ADMIN_PASSWORD })).headers.get("location"),
        "/",
      );
    });

    it(`texts one number at most ${NUMBER_MAX_CODES} codes, whoever asks and however fast`, async () => {
      const phone = nextPhone();
      await app.ctx.users.create(person({ phone, phoneConsent: true }), cliActor());
      const outcomes = await Promise.allSettled(
        Array.from({ length: 28 }, (_, i) => app.ctx.phoneOtp.request(phone, `10.9.0.${i}`, cliActor("test"))),
      );
      const refused = outcomes.filter((o) => o.status === "rejected");
      assert.equal(refused.length, 28 - NUMBER_MAX_CODES);
      for (const r of refused) assert.equal((r as PromiseRejectedResult).reason.status, 429);
      const queued = await app.ctx.db("outbox").where({ recipient: phone }).count({ n: "*" }).first();
      assert.equal(Number(queued?.n), NUMBER_MAX_CODES);
      // Another number is not affected.
      const other = nextPhone();
      await app.ctx.users.create(person({ phone: other, phoneConsent: true }), cliActor());
      await app.ctx.phoneOtp.request(other, "10.9.1.1", cliActor("test"));
    });

    it(`keeps at most ${PAIRINGS_PER_ADDRESS} pairing requests per address and ${MAX_OPEN_PAIRINGS} in all, and forgets expired ones`, async () => {
      const before = Number((await app.ctx.db("kiosk_pairings").count({ n: "*" }).first())?.n);
      const { of, tally } = await burst(200, (_i, agent) => send(`${app.url}/kiosk`, { localAddress: "127.0.0.24", agent }));
      assert.equal(of(200), PAIRINGS_PER_ADDRESS, JSON.stringify([...tally]));
      assert.equal(of(429), 200 - PAIRINGS_PER_ADDRESS, JSON.stringify([...tally]));
      const rows = Number((await app.ctx.db("kiosk_pairings").count({ n: "*" }).first())?.n);
      assert.equal(rows - before, PAIRINGS_PER_ADDRESS);

      // Many addresses together fill the table only up to its cap.
      const now = Date.now();
      const filler = Array.from({ length: MAX_OPEN_PAIRINGS }, (_, i) => ({
        secret_hash: `s${i}`.padEnd(64, "x"),
        code_hash: `c${i}`.padEnd(64, "x"),
        expires_at: now + 600_000,
        kiosk_id: null,
        created_at: now,
      }));
      for (let i = 0; i < filler.length; i += 100) await app.ctx.db("kiosk_pairings").insert(filler.slice(i, i + 100));
      assert.equal((await send(`${app.url}/kiosk`, { localAddress: "127.0.0.25" })).status, 429);
      // Expired requests are forgotten: by the prune job, and when the cap is reached.
      await app.ctx.db("kiosk_pairings").update({ expires_at: now - 1 });
      assert.equal((await send(`${app.url}/kiosk`, { localAddress: "127.0.0.25" })).status, 200);
      await app.ctx.db("kiosk_pairings").update({ expires_at: now - 1 });
      await app.ctx.kiosks.prune();
      assert.equal(Number((await app.ctx.db("kiosk_pairings").count({ n: "*" }).first())?.n), 0);
    });
  });
}

if ((await dialects()).includes("mariadb")) {
  describe("limits across two service processes on one MariaDB database", () => {
    let db: TestDatabase;
    let procs: Array<Proc & { url: string }> = [];
    let token = "";
    let code = "";
    before(async () => {
      db = await freshDatabase("mariadb");
      // Seeded in-process, then two service processes share the data (and DATA_DIR's secret).
      const seed = await startOn(db);
      await createStaff(seed.ctx);
      const id = (await seed.ctx.users.create(person(), cliActor())).id;
      const second = (await seed.ctx.users.create(person(), cliActor())).id;
      token = (await seed.ctx.invitations.current(id)).token;
      code = (await seed.ctx.invitations.current(second)).code;
      await seed.stop();
      procs = await Promise.all(
        [0, 1].map(async () => {
          const port = await freePort();
          const proc = runEntry("server/main.ts", [], { ...db.env, PORT: String(port), HOST: "127.0.0.1" });
          const url = `http://127.0.0.1:${port}`;
          await waitFor(
            () =>
              fetch(`${url}/healthz`)
                .then((r) => r.ok)
                .catch(() => false),
            30_000,
            "service process",
          );
          return { ...proc, url };
        }),
      );
    });
    after(async () => {
      for (const p of procs) if (p.child.exitCode === null) p.child.kill("SIGTERM");
      await Promise.all(procs.map((p) => p.exited));
      await db?.drop();
    });

    it(`evaluates at most ${GUESSES} of ${BURST} guesses split over both, a real link and code among them`, async () => {
      const { answers, of, tally } = await burst(BURST, (i, agent) => {
        const guess =
          i === 300 ? token : i === 700 ? code : i % 2 ? wrongCode(i) : `${"P".repeat(38)}${String(i).padStart(5, "0")}`;
        return postJson(
          `${(procs[i % 2] as { url: string }).url}/api/v1/invitations/redeem`,
          { token: guess },
          "127.0.0.31",
          agent,
        );
      });
      assert.ok(of(404) <= GUESSES, `evaluated ${of(404)} wrong ones: ${JSON.stringify([...tally])}`);
      assert.ok(of(200) <= 2, "only the real link and code can succeed");
      assert.equal(of(404) + of(429) + of(200), BURST, JSON.stringify([...tally]));
      assert.ok([200, 429].includes((answers[300] as Answer).status));
    });

    it(`signs in at most ${FREE_SIGN_INS} of ${BURST} parallel attempts split over both`, async () => {
      const logins = await Promise.all(procs.map((p) => loginForm(p.url)));
      const { of, tally } = await burst(BURST, (i, agent) =>
        (logins[i % 2] as Awaited<ReturnType<typeof loginForm>>)(i === 30 ? ADMIN_PASSWORD : `wrong ${i}`, "127.0.0.32", agent),
      );
      const checked = of(401) + of(303);
      assert.ok(checked <= FREE_SIGN_INS, `checked ${checked}: ${JSON.stringify([...tally])}`);
      assert.equal(checked + of(429), BURST, JSON.stringify([...tally]));
    });
  });
}
