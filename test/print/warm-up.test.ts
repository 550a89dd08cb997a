import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cliActor } from "../../server/core/events.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { pdfPagesText, popplerOrSkip } from "../support/pdf-tools.js";
import { personInput } from "../support/people.js";

const havePoppler = await popplerOrSkip();

// LETTERS_WARM_UP: the instance is not ready (a load balancer sends it nothing) until its
// renderer has drawn the warm-up document; then a real download uses that renderer.
describe("warming the letter renderer at start (LETTERS_WARM_UP)", { skip: !havePoppler }, () => {
  let app: TestApp;
  const readyz = async () => {
    const res = await fetch(`${app.url}/readyz`);
    return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, unknown> } };
  };

  before(async () => {
    app = await startTestApp("sqlite");
  });
  after(() => app?.stop());

  it("holds /readyz at 503 'starting' while the renderer warms, then is ready and draws real letters", async () => {
    const idle = await readyz();
    assert.equal(idle.status, 200);
    assert.deepEqual(idle.body.checks.letters, { status: "ok" });

    const warming = app.ctx.letters.warmUp();
    const during = await readyz();
    assert.equal(during.status, 503);
    assert.equal(during.body.status, "starting");
    assert.deepEqual(during.body.checks.letters, { status: "starting", warming: true });
    assert.equal(app.ctx.letters.warming(), true);
    await warming;

    const done = await readyz();
    assert.equal(done.status, 200);
    assert.equal(done.body.status, "ready");
    assert.equal(app.ctx.letters.warming(), false);

    await app.ctx.settings.update({ organizationName: "Northwind Logistics", appName: "Teamline" }, cliActor());
    const person = await app.ctx.users.create(personInput({ firstName: "Lucía", lastName: "Núñez" }), cliActor());
    const pdf = await app.ctx.letters.render({ userIds: [person.id], paper: "A4" });
    const pages = await pdfPagesText(pdf);
    assert.equal(pages.length, 1, "the warm-up's letters are not in anybody's document");
    assert.match(pages[0] ?? "", /Lucía Núñez/);
    assert.doesNotMatch(pages[0] ?? "", /WARM/);
  });
});
