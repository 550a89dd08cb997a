import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ValidationError } from "../../server/core/errors.js";
import { cliActor } from "../../server/core/events.js";
import { call } from "../support/api-client.js";
import { createApiKey, startTestApp, type TestApp } from "../support/app.js";
import { dialects } from "../support/databases.js";
import { type Answer, HttpCapture } from "../support/http-capture.js";
import { type IppPrinter, requireIpp, startIppPrinter } from "../support/ipp-printer.js";

/**
 * Findings 4 and 12: a printer or webhook cannot be pointed at this host, its cloud metadata
 * service or (webhooks) the private network unless an admin allows it; the status check does
 * not relay what an internal web service answered; a stored printer password is never sent
 * to an address it was not entered for.
 */
for (const dialect of await dialects()) {
  describe(`printer and webhook addresses (${dialect})`, () => {
    let app: TestApp;
    let key: string;
    let printer: IppPrinter | null = null;
    let listener: HttpCapture;

    before(async () => {
      app = await startTestApp(dialect, {}, { internalAddresses: false });
      key = await createApiKey(app.ctx);
      listener = await HttpCapture.start();
      if (requireIpp()) printer = await startIppPrinter({ fast: true });
    });
    after(async () => {
      await printer?.stop();
      await listener.close();
      await app.stop();
    });

    const allowInternal = (on: boolean) => app.ctx.privacySettings.update({ allowInternalAddresses: on }, cliActor());

    it("refuses loopback and link-local printers, accepts LAN ones and the local CUPS server", async () => {
      const cases: Array<[string, string, RegExp | null]> = [
        ["ipp", "ipp://127.0.0.1:631/ipp/print", /loopback address \(127\.0\.0\.1\)/],
        ["ipp", "ipp://localhost:8631/ipp/print", /loopback address \(localhost → /],
        ["ipp", "http://169.254.169.254/latest/meta-data", /link-local address \(169\.254\.169\.254\)/],
        ["ipp", "ipp://[::1]:631/ipp/print", /loopback address \(::1\)/],
        ["ipp", "ipp://0.0.0.0:631/ipp/print", /unspecified address/],
        ["ipp", "ipp://192.168.10.20/ipp/print", null],
        ["ipp", "ipp://10.0.0.7:631/ipp/print", null],
        ["cups", "ipp://localhost:631/printers/Front_Desk", null],
      ];
      let n = 0;
      for (const [driver, uri, refused] of cases) {
        const r = await call(app, "POST", "/printers", { key, body: { name: `P${++n}`, driver, uri } });
        if (refused) {
          assert.equal(r.status, 400, uri);
          assert.match(r.body.errors.uri, refused);
          assert.match(r.body.errors.uri, /Administration › Privacy/);
        } else assert.equal(r.status, 201, `${uri}: ${JSON.stringify(r.body)}`);
      }
    });

    it("refuses webhooks to internal and private addresses, accepts public ones", async () => {
      for (const [url, refused] of [
        ["http://127.0.0.1:9/hook", /loopback/],
        ["http://10.1.2.3/hook", /private network address/],
        ["http://[fe80::1]/hook", /link-local/],
        ["https://93.184.216.34/hook", null],
      ] as const) {
        const attempt = app.ctx.webhooks.create({ url, events: ["user.joined"] }, cliActor());
        if (!refused) {
          await attempt;
          continue;
        }
        await assert.rejects(attempt, (err: unknown) => {
          assert.ok(err instanceof ValidationError);
          assert.match(err.fields.url as string, refused);
          return true;
        });
      }
    });

    it("a real printer on this host works once an admin allows internal addresses, and is refused again when they stop", async (t) => {
      if (!printer) return t.skip("ippeveprinter is not available");
      const refused = await call(app, "POST", "/printers", { key, body: { name: "Local", driver: "ipp", uri: printer.uri } });
      assert.equal(refused.status, 400);
      assert.match(refused.body.errors.uri, /loopback/);

      await allowInternal(true);
      const created = await call(app, "POST", "/printers", { key, body: { name: "Local", driver: "ipp", uri: printer.uri } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const ok = await call(app, "GET", `/printers/${created.body.id}/status`, { key });
      assert.equal(ok.body.state, "idle", JSON.stringify(ok.body));

      // Checked at each use, not only when saved.
      await allowInternal(false);
      const blocked = await call(app, "GET", `/printers/${created.body.id}/status`, { key });
      assert.equal(blocked.body.state, "stopped");
      assert.match(blocked.body.error, /loopback address/);
    });

    it("the status check says only that a web service is not a printer, whatever it answered", async () => {
      await allowInternal(true);
      const created = await call(app, "POST", "/printers", {
        key,
        body: { name: "Not a printer", driver: "ipp", uri: `${listener.url}/admin` },
      });
      assert.equal(created.status, 201);
      const errors: string[] = [];
      const answers: Answer[] = [
        { status: 418, body: "teapot" },
        { status: 302, body: "", headers: { location: "/login" } },
        // A web page with 200: the ipp package used to throw on it outside any handler, ending the process.
        { status: 200, body: "<html><body>router admin</body></html>", headers: { "content-type": "text/html" } },
      ];
      for (const answer of answers) {
        listener.respond = () => answer;
        const s = await call(app, "GET", `/printers/${created.body.id}/status`, { key });
        assert.equal(s.status, 200);
        assert.equal(s.body.state, "unreachable");
        errors.push(s.body.error);
      }
      assert.equal(new Set(errors).size, 1, `one answer for all: ${errors.join(" | ")}`);
      assert.match(errors[0] as string, /did not answer as an IPP printer/);
      assert.doesNotMatch(errors[0] as string, /418|302|200|HTTP/);
      assert.equal((await fetch(`${app.url}/healthz`)).status, 200, "the service is still running");
    });

    it("a stored printer password is cleared when the address changes without it, and never sent to the new address", async () => {
      await allowInternal(true);
      listener.requests.length = 0;
      listener.respond = () => ({ status: 404 });
      const created = await call(app, "POST", "/printers", {
        key,
        body: { name: "Secured", driver: "ipp", uri: "ipp://192.168.10.30/ipp/print", username: "desk", password: "s3cret-pass" },
      });
      assert.equal(created.status, 201);
      assert.equal(created.body.hasPassword, true);
      assert.equal(JSON.stringify(created.body).includes("s3cret-pass"), false);

      // Renaming keeps it; moving it without the password drops it.
      const renamed = await call(app, "PATCH", `/printers/${created.body.id}`, { key, body: { name: "Secured 2" } });
      assert.equal(renamed.body.hasPassword, true);
      const moved = await call(app, "PATCH", `/printers/${created.body.id}`, { key, body: { uri: `${listener.url}/ipp/print` } });
      assert.equal(moved.status, 200);
      assert.equal(moved.body.hasPassword, false);
      await call(app, "GET", `/printers/${created.body.id}/status`, { key });
      assert.equal(listener.requests.length, 1);
      // The user name is no secret (the API shows it); the password stays behind.
      const sent = Buffer.from((listener.requests[0]?.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString();
      assert.equal(sent, "desk:", "no password reaches the new address");
      const row = await app.ctx.db("printers").where({ id: created.body.id }).first();
      assert.equal(row.password_sealed, null);

      // Entered again with the move: kept, and sent there.
      const again = await call(app, "PATCH", `/printers/${created.body.id}`, {
        key,
        body: { uri: `${listener.url}/other`, password: "n3w-pass" },
      });
      assert.equal(again.body.hasPassword, true);
      await call(app, "GET", `/printers/${created.body.id}/status`, { key });
      const auth = listener.requests[1]?.headers.authorization ?? "";
      assert.equal(Buffer.from(auth.replace(/^Basic /, ""), "base64").toString(), "desk:n3w-pass");
      const listed = await call(app, "GET", "/printers", { key });
      assert.equal(JSON.stringify(listed.body).includes("n3w-pass"), false);
    });
  });
}
