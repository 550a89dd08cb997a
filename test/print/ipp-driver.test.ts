import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, test } from "node:test";
import type { PrinterTarget } from "../../print/drivers/driver.js";
import { IppDriver } from "../../print/drivers/ipp.driver.js";
import { PrintError } from "../../print/drivers/print-error.js";
import { type IppPrinter, requireIpp, startIppPrinter } from "../support/ipp-printer.js";
import { samplePdf } from "../support/pdf.js";
import { waitFor } from "../support/process.js";

const driver = new IppDriver({ timeoutMs: 3_000 });
const targetOf = (uri: string, over: Partial<PrinterTarget> = {}): PrinterTarget => ({
  id: 1,
  name: "test",
  driver: "ipp",
  uri,
  paper: "A4",
  sides: "one-sided",
  copies: 1,
  username: null,
  password: null,
  ...over,
});

async function untilFinal(t: PrinterTarget, id: string, name: string) {
  return waitFor(
    async () => {
      const s = await driver.jobState(t, id, name);
      return ["completed", "canceled", "aborted", "gone"].includes(s.state) ? s : null;
    },
    60_000,
    "the job to finish",
  );
}

describe("IPP driver against a real ippeveprinter", { skip: !requireIpp() }, () => {
  let printer: IppPrinter;
  before(async () => {
    printer = await startIppPrinter();
  });
  after(async () => printer?.stop());

  test("status reads Get-Printer-Attributes: state, formats, media and supply levels", async () => {
    const s = await driver.status(targetOf(printer.uri));
    assert.equal(s.state, "idle");
    assert.deepEqual(s.reasons, []);
    assert.ok(s.formats.includes("application/pdf"));
    assert.ok(s.media.supported.includes("iso_a4_210x297mm"));
    assert.ok(s.markers.some((m) => m.kind === "toner" && typeof m.level === "number"));
    assert.equal(s.acceptingJobs, true);
  });

  test("Print-Job delivers the very PDF sent, followed until completed, and is found by its name", async () => {
    const pdf = await samplePdf("driver test");
    const t = targetOf(printer.uri);
    const { printerJobId } = await driver.submit(t, { pdf, jobName: "driver-test-1", userName: "tester" });
    const final = await untilFinal(t, printerJobId, "driver-test-1");
    assert.equal(final.state, "completed");
    const spooled = printer.spooled().find((s) => s.jobName === "driver-test-1");
    assert.ok(spooled, "the document is in the printer's spool");
    assert.ok(spooled.pdf.equals(pdf), "byte for byte the PDF that was sent");
    assert.equal(await driver.findJob(t, "driver-test-1"), printerJobId);
    assert.equal(await driver.findJob(t, "never-sent"), null);
    // Another job's name under the same id (a restarted printer reuses ids) is not ours.
    assert.equal((await driver.jobState(t, printerJobId, "someone-else")).state, "gone");
    assert.equal((await driver.jobState(t, "987654", "x")).state, "gone");
  });

  test("an IPP error is an error, though the ipp package calls back with success", async () => {
    const pdf = await samplePdf("duplex");
    await assert.rejects(
      driver.submit(targetOf(printer.uri, { sides: "two-sided-long-edge" }), { pdf, jobName: "duplex", userName: "tester" }),
      (err: unknown) =>
        err instanceof PrintError && err.reason === "client-error-attributes-or-values-not-supported" && !err.retriable,
    );
  });

  test("a printer that is off is unreachable, and sending to it is worth retrying", async () => {
    await printer.kill();
    try {
      const t = targetOf(printer.uri);
      const s = await driver.status(t);
      assert.equal(s.state, "unreachable");
      assert.match(s.error ?? "", /refused the connection|dropped the connection/);
      await assert.rejects(
        driver.submit(t, { pdf: await samplePdf("off"), jobName: "off", userName: "tester" }),
        (err: unknown) => err instanceof PrintError && err.reason === "unreachable" && err.retriable,
      );
    } finally {
      await printer.start();
    }
  });

  test("a printer that accepts the connection but never answers hits the deadline", async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const quick = new IppDriver({ timeoutMs: 300 });
      const t = targetOf(`ipp://127.0.0.1:${port}/ipp/print`);
      assert.equal((await quick.status(t)).state, "unreachable");
      await assert.rejects(
        quick.jobState(t, "1", "x"),
        (err: unknown) => err instanceof PrintError && err.reason === "timeout" && err.retriable,
      );
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});

describe("IPP driver against a busy ippeveprinter (no -c)", { skip: !requireIpp() }, () => {
  let printer: IppPrinter;
  before(async () => {
    printer = await startIppPrinter({ fast: false });
  });
  after(async () => printer?.stop());

  test("a second job while one prints gets server-error-busy, a retriable error", async () => {
    const t = targetOf(printer.uri);
    await driver.submit(t, { pdf: await samplePdf("first"), jobName: "first", userName: "tester" });
    await assert.rejects(
      driver.submit(t, { pdf: await samplePdf("second"), jobName: "second", userName: "tester" }),
      (err: unknown) => err instanceof PrintError && err.reason === "server-error-busy" && err.retriable,
    );
    // The printer takes the first job before it says it is processing it: ask until it does.
    let state = (await driver.status(t)).state;
    for (let i = 0; state !== "processing" && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = (await driver.status(t)).state;
    }
    assert.equal(state, "processing");
  });
});
