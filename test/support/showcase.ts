import { Readable } from "node:stream";
import { cliActor } from "../../server/core/events.js";
import { createApiKey, createStaff, type TestApp } from "./app.js";
import { personInput } from "./people.js";

export type Lang = "en" | "es";

/** Everything a page of the showcase needs to point at: ids and link paths. */
export type Showcase = {
  lang: Lang;
  personId: number;
  groupId: number;
  importId: number;
  printerId: number;
  printJobId: number;
  kioskId: number;
  kioskEnrollPath: string;
  joinValid: string;
  joinExpired: string;
  joinUsed: string;
};

const PEOPLE: Array<[string, string, string, string]> = [
  ["Lucía", "García Pérez", "Logistics", "Madrid"],
  ["Nicolás", "Núñez Ortega", "Sales", "Madrid"],
  ["Aitor", "Zubiri Etxeberria", "Logistics", "Bilbao"],
  ["María José", "Álvarez de la Fuente", "Finance", "Madrid"],
  ["Tom", "Becker", "Sales", "Bilbao"],
  ["Ana", "Iglesias", "Front desk", "Madrid"],
];

/**
 * A realistic, Spanish-flavoured organization on a running test app: pending, joined and
 * deactivated people, a group, an import, deliveries, a webhook, an API key, a printer with
 * a job, a kiosk showing someone, and join links that are valid, expired and used. The
 * accessibility suite and the screenshot script look at the same pages.
 */
export async function seedShowcase(app: TestApp, lang: Lang = "en"): Promise<Showcase> {
  const { ctx } = app;
  const actor = cliActor();
  await createStaff(ctx, "admin");
  await createStaff(ctx, "frontdesk", "desk@example.com");
  await ctx.settings.update(
    {
      organizationName: "Transportes Acme",
      // The admins follow the organization's language: the pages come out in `lang`.
      defaultLanguage: lang,
      defaultCountry: lang === "es" ? "ES" : "GB",
      appName: "Ommnio",
      frontDeskContact: "Recepción, planta baja — ext. 200",
      appStoreUrl: "https://apps.apple.com/app/ommnio/id1234567890",
      playStoreUrl: "https://play.google.com/store/apps/details?id=com.ommnio",
    },
    actor,
  );
  const ids: number[] = [];
  for (const [i, [firstName, lastName, department, site]] of PEOPLE.entries()) {
    const user = await ctx.users.create(
      personInput({
        firstName,
        lastName,
        department,
        site,
        language: lang,
        employeeId: `E-${1040 + i}`,
        email: `${firstName
          .normalize("NFD")
          .replace(/[^a-zA-Z]/g, "")
          .toLowerCase()}@example.com`,
      }),
      actor,
    );
    ids.push(user.id);
  }
  const [personId, nicolas, aitor, mariaJose, tom, ana] = ids as [number, number, number, number, number, number];
  const group = await ctx.groups.create("Almacén Madrid", actor);
  await ctx.groups.addMembers(group.id, [personId, nicolas, aitor, tom], actor);
  await ctx.groups.create("Ventas", actor);

  // Joined through their link (/i/TOKEN), and one who left the company.
  const linkOf = async (id: number) => new URL((await ctx.invitations.current(id)).url).pathname;
  await ctx.invitations.redeem((await linkOf(nicolas)).slice(3), "link", "127.0.0.1");
  const joinUsed = await linkOf(tom);
  await ctx.invitations.redeem(joinUsed.slice(3), "link", "127.0.0.1");
  await ctx.users.deactivate(ana, actor);

  const expired = await ctx.invitations.current(mariaJose);
  await ctx
    .db("invitations")
    .where({ id: expired.id })
    .update({ expires_at: Date.now() - 60_000 });
  const joinExpired = new URL(expired.url).pathname;
  const joinValid = await linkOf(personId);

  await ctx.notify.invitations.send(personId, "email", actor);
  await ctx.notify.invitations.send(aitor, "email", actor);

  const csv = [
    "firstName,lastName,email,department,site",
    "Elena,Martín Sanz,elena.martin@example.com,Logistics,Madrid",
    "Jorge,Ruiz,not-an-email,Sales,Bilbao",
    "Sofía,Domínguez,sofia@example.com,Finance,Madrid",
  ].join("\n");
  const upload = await ctx.imports.create(Readable.from([Buffer.from(csv)]), "empleados.csv", actor);
  await ctx.imports.check(upload.id, actor);

  await createApiKey(ctx);
  await ctx.webhooks.create({ url: "http://127.0.0.1:9/hooks/invite-station", events: ["user.joined"] }, actor);

  // Nothing listens there: the printer page shows an unreachable printer, its job retrying; another person waits for tonight.
  const printer = await ctx.print.printers.create(
    { name: "Recepción", uri: "ipp://127.0.0.1:9/ipp/print", driver: "ipp", site: "Madrid" },
    actor,
  );
  await ctx.print.jobs.queueTonight(printer.id, [aitor], actor);
  const printJobId = (await ctx.print.jobs.printNow(printer.id, [personId], actor)).id;

  const { kiosk, enrollUrl } = await ctx.kiosks.create({ name: "Vestíbulo", site: "Madrid", language: lang }, actor);
  await ctx.kiosks.display(kiosk.id, personId, actor);

  return {
    lang,
    personId,
    groupId: group.id,
    importId: upload.id,
    printerId: printer.id,
    printJobId,
    kioskId: kiosk.id,
    kioskEnrollPath: new URL(enrollUrl).pathname,
    joinValid,
    joinExpired,
    joinUsed,
  };
}

/** Every page an admin can open, with the showcase's records filled in. */
export function adminPages(s: Showcase): Array<[string, string]> {
  return [
    ["dashboard", "/dashboard"],
    ["people", "/users"],
    ["profile", `/users/${s.personId}`],
    ["invitation-qr", `/users/${s.personId}/invitation/qr`],
    ["new-person", "/users/new"],
    ["edit-person", `/users/${s.personId}/edit`],
    ["groups", "/groups"],
    ["group", `/groups/${s.groupId}`],
    ["import", "/import"],
    ["import-checked", `/import/${s.importId}`],
    ["deliveries", "/deliveries"],
    ["audit", "/audit"],
    ["accounts", "/admin/accounts"],
    ["api-keys", "/admin/api-keys"],
    ["webhooks", "/admin/webhooks"],
    ["settings", "/admin/settings"],
    ["organization-setup", "/admin/setup"],
    ["printers", "/printers"],
    ["new-printer", "/printers/new"],
    ["printer", `/printers/${s.printerId}`],
    ["edit-printer", `/printers/${s.printerId}/edit`],
    ["print-jobs", "/print-jobs"],
    ["print-job", `/print-jobs/${s.printJobId}`],
    ["kiosks", "/kiosks"],
    ["kiosk", `/kiosks/${s.kioskId}`],
  ];
}
