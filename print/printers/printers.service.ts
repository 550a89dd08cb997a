import type { Knex } from "knex";
import { Sealer } from "../../server/auth/index.js";
import { nowMs } from "../../server/core/db/convert.js";
import { ConflictError, NotFoundError, ValidationError } from "../../server/core/errors.js";
import { type Actor, type EventBus, says } from "../../server/core/events.js";
import { type Message, message } from "../../server/core/message.js";
import type { AddressPolicy } from "../../server/core/security/address-policy.js";
import type { DriverName, PrinterDriver, PrinterStatus, PrinterTarget } from "../drivers/driver.js";
import { PrintError } from "../drivers/print-error.js";
import { unreachableStatus } from "../drivers/printer-status.js";
import * as repo from "./printers.repo.js";
import { parsePrinterInput } from "./printers.schema.js";
import type { Printer } from "./printers.types.js";

export type { Printer } from "./printers.types.js";

type Deps = {
  db: Knex;
  events: EventBus;
  secretKey: string;
  drivers: Record<DriverName, PrinterDriver>;
  addresses: AddressPolicy;
  /** Whether a printer still has jobs waiting or printing (deleting it then is refused). */
  activeJobs: (printerId: number) => Promise<number>;
};

/** Printers: their settings (credentials sealed, never shown back), status and the default per site. */
export class PrintersService {
  private readonly sealer: Sealer;

  constructor(private deps: Deps) {
    this.sealer = new Sealer(deps.secretKey, "printer-password-seal");
  }

  async list(): Promise<Printer[]> {
    return (await repo.listPrinters(this.deps.db)).map(repo.toPrinter);
  }

  async get(id: number): Promise<Printer> {
    const row = await repo.findPrinter(this.deps.db, id);
    if (!row) throw new NotFoundError(message("errors:print.printerNotFound", { id }));
    return repo.toPrinter(row);
  }

  async create(input: Record<string, unknown>, actor: Actor): Promise<Printer> {
    const parsed = parsePrinterInput(input);
    if (!parsed.ok) throw new ValidationError(parsed.errors);
    const { values, password } = parsed.value;
    await this.checkAddress(values);
    const id = await this.deps.db.transaction(async (trx) => {
      await this.checkUnique(trx, values.name);
      const id = await repo.insertPrinter(trx, values, password ? this.sealer.seal(password) : null, nowMs());
      if (values.siteDefault) await repo.clearSiteDefault(trx, values.site, id);
      return id;
    });
    await this.announce("printer.created", says("printerCreated", { id, driver: values.driver }), id, actor);
    return this.get(id);
  }

  async update(id: number, input: Record<string, unknown>, actor: Actor): Promise<Printer> {
    const current = await this.get(id);
    const parsed = parsePrinterInput(input, current);
    if (!parsed.ok) throw new ValidationError(parsed.errors);
    const { values, password } = parsed.value;
    await this.checkAddress(values);
    await this.deps.db.transaction(async (trx) => {
      await this.checkUnique(trx, values.name, id);
      const sealed = password === undefined ? undefined : password === null ? null : this.sealer.seal(password);
      await repo.updatePrinter(trx, id, values, sealed, nowMs());
      if (values.siteDefault) await repo.clearSiteDefault(trx, values.site, id);
    });
    await this.announce("printer.updated", says("printerUpdated", { id }), id, actor);
    return this.get(id);
  }

  async remove(id: number, actor: Actor): Promise<void> {
    await this.get(id);
    const waiting = await this.deps.activeJobs(id);
    if (waiting) {
      throw new ConflictError(message("errors:print.printerBusy", { id, n: waiting }));
    }
    await repo.deletePrinter(this.deps.db, id);
    await this.announce("printer.deleted", says("printerDeleted", { id }), id, actor);
  }

  /** What a driver needs, with the password unsealed (only for sending it to the printer). */
  async target(id: number): Promise<PrinterTarget> {
    const row = await repo.findPrinter(this.deps.db, id);
    if (!row) throw new NotFoundError(message("errors:print.printerNotFound", { id }));
    const p = repo.toPrinter(row);
    // Checked again at each use: a name resolves anew, and the admin setting may have changed.
    const refused = await this.refusal(p);
    if (refused) throw new PrintError(`The printer's address ${refused.text}`, "address-refused", false);
    return { ...p, password: row.password_sealed ? this.sealer.unseal(row.password_sealed) : null };
  }

  driverOf(printer: Pick<Printer, "driver">): PrinterDriver {
    return this.deps.drivers[printer.driver];
  }

  /** Get-Printer-Attributes (or the driver's equivalent): state, reasons, formats, media, markers. */
  async status(id: number): Promise<PrinterStatus> {
    try {
      const target = await this.target(id);
      return await this.driverOf(target).status(target);
    } catch (err) {
      if (err instanceof PrintError)
        return { ...unreachableStatus(err.message), state: err.retriable ? "unreachable" : "stopped" };
      throw err;
    }
  }

  /**
   * Where a person's letter goes when nobody chose: their site's default printer, else
   * that site's only printer, else the default printer without a site; null when none fits.
   */
  async defaultFor(site: string | null, printers?: Printer[]): Promise<Printer | null> {
    const all = printers ?? (await this.list());
    const ofSite = site ? all.filter((p) => p.site === site) : [];
    return (
      ofSite.find((p) => p.siteDefault) ??
      (ofSite.length === 1 ? ofSite[0] : undefined) ??
      all.find((p) => p.site === null && p.siteDefault) ??
      (all.length === 1 ? all[0] : undefined) ??
      null
    );
  }

  private refusal(printer: Pick<Printer, "driver" | "uri">): Promise<Message | null> {
    if (printer.driver === "windows") return Promise.resolve(null); // a printer name, not an address
    return this.deps.addresses.refusalMessage(printer.uri, printer.driver === "cups" ? "cups" : "printer");
  }

  private async checkAddress(values: Pick<Printer, "driver" | "uri">) {
    const refused = await this.refusal(values);
    if (refused) throw new ValidationError({ uri: refused });
  }

  private async checkUnique(db: Knex, name: string, exceptId?: number) {
    const existing = await repo.findByName(db, name);
    if (existing && existing.id !== exceptId) {
      throw new ConflictError(message("errors:print.printerNameTaken", { name: existing.name }), {
        type: "printer",
        id: existing.id,
        field: "name",
      });
    }
  }

  private async announce(name: string, summary: ReturnType<typeof says>, printerId: number, actor: Actor) {
    await this.deps.events.emit(name, { actor, ...summary, target: { type: "printer", id: printerId }, printerId });
  }
}
