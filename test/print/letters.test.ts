import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { InvitationUnusableError, NotPendingError, UnknownPersonError } from "../../print/letter/letter-errors.js";
import { cliActor } from "../../server/core/events.js";
import type { UserInput } from "../../server/people/users.schema.js";
import { call } from "../support/api-client.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { dialects } from "../support/databases.js";
import { pageQrCodes, pdfInfo, pdfPagesText, popplerOrSkip, zbarOrSkip } from "../support/pdf-tools.js";
import { personInput } from "../support/people.js";

const havePoppler = await popplerOrSkip();
const haveZbar = havePoppler && (await zbarOrSkip());

/** pdftotext's words on one line: it may break a line where the layout does. */
const flat = (text: string) => text.replace(/\s+/g, " ");

for (const dialect of await dialects()) {
  describe(`invitation letters (${dialect})`, { skip: !havePoppler }, () => {
    let app: TestApp;
    const newPerson = async (fields: Partial<UserInput> & Pick<UserInput, "firstName" | "lastName">) =>
      (await app.ctx.users.create(personInput(fields), cliActor())).id;

    before(async () => {
      app = await startTestApp(dialect);
      await app.ctx.settings.update(
        { organizationName: "Northwind Logistics", appName: "Teamline", frontDeskContact: "Reception, ext. 100" },
        cliActor(),
      );
    });
    after(() => app?.stop());

    it("prints a person's QR code, which is their link and joins them through the redeem API", { skip: !haveZbar }, async () => {
      const id = await newPerson({ firstName: "Oliver", lastName: "Bennett" });
      const invitation = await app.ctx.invitations.current(id);
      const pdf = await app.ctx.letters.render({ userIds: [id], paper: "A4" });
      assert.deepEqual(await pageQrCodes(pdf, 1), [invitation.url]);
      const text = flat((await pdfPagesText(pdf))[0] ?? "");
      assert.match(text, /Welcome, Oliver Bennett/);
      assert.ok(text.includes(invitation.code), `the typed code ${invitation.code} is on the letter: ${text}`);
      assert.match(text, /Personal and non-transferable — do not share/);
      assert.match(text, /Reception, ext\. 100/);

      // Printing showed the current link again: it was not replaced.
      assert.equal((await app.ctx.invitations.current(id)).url, invitation.url);
      const joined = await call(app, "POST", "/invitations/redeem", { body: { token: invitation.url, channel: "qr" } });
      assert.equal(joined.status, 200, JSON.stringify(joined.body));
      assert.equal(joined.body.user.id, id);
      assert.equal((await app.ctx.users.get(id)).status, "active");
    });

    it("adds the app store codes when the settings have store links, and leaves them out when not", {
      skip: !haveZbar,
    }, async () => {
      const id = await newPerson({ firstName: "Grace", lastName: "Hopper" });
      const url = (await app.ctx.invitations.current(id)).url;
      const plain = await app.ctx.letters.render({ userIds: [id], paper: "A4" });
      assert.doesNotMatch(flat((await pdfPagesText(plain))[0] ?? ""), /App Store/);

      const appStoreUrl = "https://apps.apple.com/app/id1234567890";
      const playStoreUrl = "https://play.google.com/store/apps/details?id=com.teamline";
      await app.ctx.settings.update({ appStoreUrl, playStoreUrl }, cliActor());
      try {
        const pdf = await app.ctx.letters.render({ userIds: [id], paper: "A4" });
        assert.deepEqual((await pageQrCodes(pdf, 1)).sort(), [appStoreUrl, playStoreUrl, url].sort());
        assert.match(flat((await pdfPagesText(pdf))[0] ?? ""), /App Store \(iPhone\).*Google Play \(Android\)/);
      } finally {
        await app.ctx.settings.update({ appStoreUrl: "", playStoreUrl: "" }, cliActor());
      }
    });

    it("renders names in accented Latin, Greek, Cyrillic, Chinese, Japanese and Korean as extractable text", async () => {
      const names: Array<[string, string]> = [
        ["Íñigo", "Núñez Çağlar"],
        ["Ελένη", "Παπαδοπούλου"],
        ["Дмитрий", "Иванов"],
        ["小明", "王"],
        ["さくら", "髙橋"],
        ["민준", "김"],
      ];
      const ids = [];
      for (const [firstName, lastName] of names) ids.push(await newPerson({ firstName, lastName }));
      const pdf = await app.ctx.letters.render({ userIds: ids, paper: "A4" });
      const pages = await pdfPagesText(pdf);
      assert.equal(pages.length, names.length);
      names.forEach(([first, last], i) => {
        const page = flat(pages[i] ?? "");
        assert.ok(page.includes(first) && page.includes(last), `page ${i + 1} shows ${first} ${last}: ${page.slice(0, 200)}`);
      });
      const info = await pdfInfo(pdf);
      assert.equal(info.Pages, String(names.length));
    });

    it("prints on A4 or Letter, as asked", async () => {
      const id = await newPerson({ firstName: "Ada", lastName: "Lovelace" });
      assert.match(
        (await pdfInfo(await app.ctx.letters.render({ userIds: [id], paper: "A4" })))["Page size"] ?? "",
        /595\.28 x 841\.89/,
      );
      assert.match(
        (await pdfInfo(await app.ctx.letters.render({ userIds: [id], paper: "Letter" })))["Page size"] ?? "",
        /612 x 792/,
      );
    });

    it("writes a Spanish person's letter in Spanish, with the expiry date in Spanish", async () => {
      const id = await newPerson({ firstName: "Lucía", lastName: "Fernández", language: "es" });
      const expires = new Date((await app.ctx.invitations.current(id)).expiresAt as string);
      const pdf = await app.ctx.letters.render({ userIds: [id], paper: "A4" });
      const text = flat((await pdfPagesText(pdf))[0] ?? "");
      assert.match(text, /Te damos la bienvenida, Lucía Fernández/);
      assert.match(text, /Personal e intransferible: no lo compartas/);
      assert.match(text, /Únete en tres pasos/);
      const month = new Intl.DateTimeFormat("es-ES", { month: "long" }).format(expires);
      assert.ok(text.includes(`Válido hasta el ${expires.getDate()} de ${month}`), text);
    });

    it("puts one letter per person in the order given, after the cover sheet", async () => {
      const a = await newPerson({ firstName: "Zoë", lastName: "Abbott", department: "Kitchen", site: "Madrid" });
      const b = await newPerson({ firstName: "Yusuf", lastName: "Baker", department: "Sales", site: "Bilbao" });
      const pdf = await app.ctx.letters.render({
        userIds: [b, a],
        paper: "Letter",
        cover: {
          title: "Overnight batch",
          printerName: "Front desk printer",
          site: "Madrid",
          createdAt: new Date("2026-03-01T02:00:00Z"),
          jobNumber: 2,
          jobCount: 3,
          people: [
            { firstName: "Yusuf", lastName: "Baker", department: "Sales", site: "Bilbao" },
            { firstName: "Zoë", lastName: "Abbott", department: "Kitchen", site: "Madrid" },
          ],
        },
      });
      const pages = (await pdfPagesText(pdf)).map(flat);
      assert.equal(pages.length, 3);
      if (haveZbar) {
        // Letters after the first have their codes encoded ahead on another thread: each still its own person's.
        assert.deepEqual(await pageQrCodes(pdf, 2), [(await app.ctx.invitations.current(b)).url]);
        assert.deepEqual(await pageQrCodes(pdf, 3), [(await app.ctx.invitations.current(a)).url]);
      }
      assert.match(pages[0] ?? "", /Overnight batch/);
      assert.match(pages[0] ?? "", /Front desk printer/);
      assert.match(pages[0] ?? "", /2 of 3/);
      assert.match(pages[0] ?? "", /Baker, Yusuf.*Abbott, Zoë/);
      assert.match(pages[1] ?? "", /Welcome, Yusuf Baker/);
      assert.match(pages[2] ?? "", /Welcome, Zoë Abbott/);
    });

    it("for a two-sided printer, starts every letter and the cover sheet on a sheet of its own", async () => {
      const a = await newPerson({ firstName: "Ana", lastName: "Duplex" });
      const b = await newPerson({ firstName: "Bruno", lastName: "Duplex" });
      const c = await newPerson({ firstName: "Carla", lastName: "Duplex" });
      const cover = {
        title: "Overnight batch",
        printerName: "Duplex printer",
        site: null,
        createdAt: new Date("2026-03-01T02:00:00Z"),
        jobNumber: 1,
        jobCount: 1,
        people: [{ firstName: "Ana", lastName: "Duplex", department: null, site: null }],
      };
      const pages = (
        await pdfPagesText(await app.ctx.letters.render({ userIds: [a, b, c], paper: "A4", cover, twoSided: true }))
      ).map(flat);
      // Fronts (odd pages) carry the cover and the letters; every back is blank.
      assert.equal(pages.length, 7);
      assert.match(pages[0] ?? "", /Overnight batch/);
      assert.match(pages[2] ?? "", /Welcome, Ana Duplex/);
      assert.match(pages[4] ?? "", /Welcome, Bruno Duplex/);
      assert.match(pages[6] ?? "", /Welcome, Carla Duplex/);
      for (const back of [1, 3, 5]) assert.equal((pages[back] ?? "").trim(), "", `page ${back + 1} is blank`);
      // One-sided, as before: one page after the other.
      assert.equal((await pdfPagesText(await app.ctx.letters.render({ userIds: [a, b, c], paper: "A4" }))).length, 3);
    });

    it("renders several documents at once, and a reader that goes away frees its renderer", async () => {
      const ids: number[] = [];
      for (let i = 0; i < 30; i++) ids.push(await newPerson({ firstName: "Bulk", lastName: `Person ${i}` }));
      // Abandoned after the first bytes: its worker stops and its turn goes to the next document.
      const abandoned = await app.ctx.letters.stream({ userIds: ids, paper: "A4" });
      await new Promise<void>((resolve) => abandoned.once("data", () => resolve()));
      abandoned.destroy();
      const counts = await Promise.all(
        [1, 5, 30, 2, 10].map(
          async (n) => (await pdfInfo(await app.ctx.letters.render({ userIds: ids.slice(0, n), paper: "A4" }))).Pages,
        ),
      );
      assert.deepEqual(counts, ["1", "5", "30", "2", "10"]);
    });

    it("keeps its render worker between documents, and replaces one that dies", async () => {
      const ids: number[] = [];
      for (let i = 0; i < 120; i++) ids.push(await newPerson({ firstName: "Kept", lastName: `Worker ${i}` }));
      // The pool is the service's own; reached here to name its thread.
      const pool = (
        app.ctx.letters as unknown as {
          renderers: { threads: Set<{ worker: { threadId: number; terminate(): Promise<number> } }> };
        }
      ).renderers;
      const thread = () => [...pool.threads].map((t) => t.worker);
      await app.ctx.letters.render({ userIds: ids.slice(0, 2), paper: "A4" });
      const first = thread()[0]?.threadId;
      await app.ctx.letters.render({ userIds: ids.slice(0, 3), paper: "A4" });
      assert.deepEqual(
        thread().map((w) => w.threadId),
        [first],
        "the same worker rendered both",
      );

      const doomed = await app.ctx.letters.stream({ userIds: ids, paper: "A4" });
      await new Promise<void>((resolve) => doomed.once("data", () => resolve()));
      const failed = new Promise<Error>((resolve) => doomed.once("error", resolve));
      await thread()[0]?.terminate();
      assert.match((await failed).message, /renderer stopped/);
      assert.equal((await pdfInfo(await app.ctx.letters.render({ userIds: ids.slice(0, 4), paper: "A4" }))).Pages, "4");
      assert.notEqual(thread()[0]?.threadId, first, "a new worker took its place");
    });

    it("refuses unknown, joined and deactivated people and dead invitations, by name", async () => {
      const pending = await newPerson({ firstName: "Pat", lastName: "Pending" });
      const joined = await newPerson({ firstName: "Jo", lastName: "Joined" });
      await app.ctx.users.join(joined, "link", cliActor());
      const gone = await newPerson({ firstName: "Dee", lastName: "Deactivated" });
      await app.ctx.users.deactivate(gone, cliActor());
      const revoked = await newPerson({ firstName: "Rev", lastName: "Oked" });
      await app.ctx.invitations.revoke(revoked, cliActor());

      await assert.rejects(app.ctx.letters.render({ userIds: [pending, 999_999], paper: "A4" }), (err) => {
        assert.ok(err instanceof UnknownPersonError);
        assert.equal(err.status, 404);
        assert.equal(err.userId, 999_999);
        return true;
      });
      await assert.rejects(app.ctx.letters.render({ userIds: [joined], paper: "A4" }), (err) => {
        assert.ok(err instanceof NotPendingError);
        assert.equal(err.status, 409);
        assert.equal(err.personStatus, "active");
        return true;
      });
      await assert.rejects(app.ctx.letters.render({ userIds: [gone], paper: "A4" }), NotPendingError);
      await assert.rejects(app.ctx.letters.render({ userIds: [revoked], paper: "A4" }), InvitationUnusableError);
      await assert.rejects(app.ctx.letters.render({ userIds: [], paper: "A4" }), /Some fields/);
      await assert.rejects(app.ctx.letters.render({ userIds: [pending, pending], paper: "A4" }), /Some fields/);
      // @ts-expect-error: a paper size the renderer does not know
      await assert.rejects(app.ctx.letters.render({ userIds: [pending], paper: "A5" }), /Some fields/);
      // Nothing was changed by the refusals: the pending person still has their first link.
      assert.equal((await app.ctx.invitations.current(pending)).state, "active");
    });
  });
}
