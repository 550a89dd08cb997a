import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import jpegJs from "jpeg-js";
import { PNG } from "pngjs";
import { cliActor } from "../../server/core/events.js";
import { ADMIN_PASSWORD, createStaff, startTestApp, type TestApp } from "../support/app.js";
import { PageClient } from "../support/browser-client.js";
import { dialects } from "../support/databases.js";
import { personInput } from "../support/people.js";

/** A real PNG of the given size, as an admin would export from a design tool. */
function png(width: number, height: number): Buffer {
  const image = new PNG({ width, height });
  image.data.fill(0x3c);
  return PNG.sync.write(image);
}

/** A real JPEG of the given size (baseline, as cameras and design tools write them). */
function jpeg(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 4, 0x5a);
  return jpegJs.encode({ data, width, height }, 80).data;
}

/** The first half of a file, as an interrupted download or copy leaves it. */
const truncated = (file: Buffer) => file.subarray(0, Math.floor(file.length / 2));

for (const dialect of await dialects()) {
  describe(`organization logo on ${dialect}`, () => {
    let app: TestApp;
    let admin: PageClient;
    const upload = (content: Buffer, name = "logo.png", type = "image/png") =>
      admin.postFile(`/admin/settings/logo?_csrf=${encodeURIComponent(admin.csrf)}`, "logo", content, name, type);

    before(async () => {
      app = await startTestApp(dialect);
      await createStaff(app.ctx, "admin");
      await createStaff(app.ctx, "frontdesk");
      admin = new PageClient(app.url);
      await admin.signIn("admin@example.com", ADMIN_PASSWORD);
    });
    after(() => app.stop());

    it("is uploaded in Settings and served to everyone, shown on the join page", async () => {
      assert.equal((await fetch(`${app.url}/branding/logo`)).status, 404);
      await admin.get("/admin/settings");
      const logo = png(320, 120);
      const res = await upload(logo);
      assert.equal(res.status, 303, res.text.slice(0, 300));
      assert.equal(res.headers.get("location"), "/admin/settings?done=logo-saved");

      const served = await fetch(`${app.url}/branding/logo`);
      assert.equal(served.status, 200);
      assert.equal(served.headers.get("content-type"), "image/png");
      assert.deepEqual(Buffer.from(await served.arrayBuffer()), logo);
      const again = await fetch(`${app.url}/branding/logo`, { headers: { "if-none-match": served.headers.get("etag") ?? "" } });
      assert.equal(again.status, 304);

      const page = await admin.get("/admin/settings");
      assert.match(page.text, /320×120 pixels/);

      const user = await app.ctx.users.create(personInput({ firstName: "Lola", lastName: "Flores" }), cliActor());
      const { url } = await app.ctx.invitations.current(user.id);
      const join = await (await fetch(url)).text();
      assert.match(join, /<img class="j-logo" src="\/branding\/logo\?v=\d+"/);
    });

    it("accepts a JPEG and reads its size from the file itself", async () => {
      await admin.get("/admin/settings");
      const res = await upload(jpeg(640, 200), "logo.jpg", "image/jpeg");
      assert.equal(res.status, 303);
      const logo = await app.ctx.branding.logo();
      assert.equal(logo?.mime, "image/jpeg");
      assert.deepEqual([logo?.width, logo?.height], [640, 200]);
    });

    it("refuses what is not a sensible PNG or JPEG, naming the field and keeping the old logo", async () => {
      await admin.get("/admin/settings");
      const before = await app.ctx.branding.logo();
      const cases: Array<[Buffer, string, RegExp]> = [
        [Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>"), "logo.png", /not a PNG or JPEG/],
        [png(8, 8), "tiny.png", /8×8 pixels/],
        [Buffer.alloc(1024 * 1024 + 10, 1), "huge.png", /larger than 1 MB/],
        [Buffer.alloc(0), "empty.png", /Choose a PNG or JPEG/],
        // The header is whole and says 320×120; the pixel data stops half-way.
        [truncated(png(320, 120)), "cut.png", /PNG image is damaged or incomplete/],
        [truncated(jpeg(320, 120)), "cut.jpg", /JPEG image is damaged or incomplete/],
      ];
      for (const [content, name, message] of cases) {
        const res = await upload(content, name);
        assert.equal(res.status, 400, name);
        assert.match(res.text, /id="logo-error"/);
        assert.match(res.text, message);
      }
      assert.equal((await app.ctx.branding.logo())?.updatedAt, before?.updatedAt);
    });

    it("needs the form's CSRF token and an admin", async () => {
      const forged = await admin.postFile("/admin/settings/logo?_csrf=nope", "logo", png(64, 64), "x.png", "image/png");
      assert.equal(forged.status, 403);
      const desk = new PageClient(app.url);
      await desk.signIn("frontdesk@example.com", ADMIN_PASSWORD);
      await desk.get("/users");
      const res = await desk.postFile(
        `/admin/settings/logo?_csrf=${encodeURIComponent(desk.csrf)}`,
        "logo",
        png(64, 64),
        "x.png",
        "image/png",
      );
      assert.equal(res.status, 403);
    });

    it("can be removed, and the join page falls back to the monogram", async () => {
      await admin.get("/admin/settings");
      const res = await admin.post("/admin/settings/logo/remove", {});
      assert.equal(res.status, 303);
      assert.equal((await fetch(`${app.url}/branding/logo`)).status, 404);
      assert.equal(await app.ctx.branding.logo(), null);
      const user = await app.ctx.users.create(personInput({ firstName: "Pepa", lastName: "Gil" }), cliActor());
      const join = await (await fetch((await app.ctx.invitations.current(user.id)).url)).text();
      assert.doesNotMatch(join, /j-logo/);
      assert.match(join, /class="j-badge"/);
    });
  });
}
