/**
 * Renders sample invitation letters to look at (and for docs/invitation-letter.png):
 *   node --import tsx scripts/letter-preview.ts OUT.pdf [en|es] [A4|Letter] [--stores] [--logo FILE.png]
 * On a throwaway SQLite database; nothing of the real data is touched.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { letterEligibility } from "../print/letter/eligibility.js";
import { LetterService } from "../print/letter/letter.service.js";
import { isPaper } from "../print/letter/paper.js";
import { loadConfig } from "../server/core/config.js";
import { migrateLatest } from "../server/core/db/migrate.js";
import { cliActor } from "../server/core/events.js";
import { createLogger } from "../server/core/log.js";
import { createStation } from "../server/station.js";

const [out = "letter.pdf", lang = "en", paper = "A4", ...flags] = process.argv.slice(2);
const dir = mkdtempSync(path.join(tmpdir(), "invst-letter-"));
try {
  const config = loadConfig({
    NODE_ENV: "test",
    DATA_DIR: dir,
    LOG_LEVEL: "silent",
    PUBLIC_URL: "https://invite.northwind.example",
  });
  const ctx = createStation(config, createLogger("silent"));
  await migrateLatest(ctx.db);
  await ctx.settings.update(
    {
      organizationName: "Northwind Logistics",
      appName: "Teamline",
      frontDeskContact: "Reception, ground floor · +34 910 000 000 · frontdesk@northwind.example",
      ...(flags.includes("--stores")
        ? {
            appStoreUrl: "https://apps.apple.com/app/id1234567890",
            playStoreUrl: "https://play.google.com/store/apps/details?id=com.teamline",
          }
        : {}),
    },
    cliActor(),
  );
  const names: Array<[string, string]> = lang === "es" ? [["Lucía", "Fernández Núñez"]] : [["Oliver", "Bennett"]];
  names.push(["Ελένη", "Παπαδοπούλου"], ["Дмитрий", "Иванов"], ["小明", "王"], ["太郎", "山田"], ["민준", "김"]);
  const ids: number[] = [];
  for (const [firstName, lastName] of names) {
    const user = await ctx.users.create(
      {
        firstName,
        lastName,
        email: null,
        phone: null,
        phoneConsent: false,
        employeeId: null,
        department: "Warehouse",
        site: "Madrid",
        language: lang === "es" ? "es" : "en",
      },
      cliActor(),
    );
    ids.push(user.id);
  }
  const logoAt = flags.indexOf("--logo");
  const letters =
    logoAt >= 0
      ? new LetterService({
          eligibility: letterEligibility(ctx.invitations),
          settings: ctx.settings,
          branding: {
            logo: async () => ({ mime: "image/png", data: readFileSync(flags[logoAt + 1] as string), width: 0, height: 0 }),
          },
        })
      : ctx.letters;
  const pdf = await letters.render({ userIds: ids, paper: isPaper(paper) ? paper : "A4" });
  writeFileSync(out, pdf);
  console.log(`${out}: ${pdf.length} bytes, ${ids.length} letters`);
  await ctx.db.destroy();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
