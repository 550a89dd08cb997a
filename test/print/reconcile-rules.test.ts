import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Evidence, judgeMissingJob } from "../../print/queue/reconcile.js";

const attemptAt = 1_000_000;
const boot = 500_000;
const base: Evidence = {
  phase: "sent",
  attemptSentAt: attemptAt,
  bootAtAttempt: boot,
  bootNow: boot + 400,
  oldestJobAt: null,
  lastPrinterState: "pending",
};

describe("judging an attempt the printer no longer lists", () => {
  it("accepted, then forgotten without a restart: printed", () => {
    assert.equal(judgeMissingJob(base).verdict, "printed");
  });

  it("accepted, then the printer restarted: the front desk decides", () => {
    assert.equal(judgeMissingJob({ ...base, bootNow: attemptAt + 60_000 }).verdict, "unknown");
  });

  it("a printer that does not say when it started never yields a guess", () => {
    assert.equal(judgeMissingJob({ ...base, bootNow: null }).verdict, "unknown");
    assert.equal(judgeMissingJob({ ...base, phase: "sending", bootAtAttempt: null, oldestJobAt: 0 }).verdict, "unknown");
  });

  it("never received: the printer still lists jobs older than the attempt and none of its name", () => {
    const e: Evidence = { ...base, phase: "sending", oldestJobAt: attemptAt - 5_000 };
    assert.equal(judgeMissingJob(e).verdict, "not-received");
  });

  it("a job within the printer clock's rounding of the attempt proves nothing: it may have printed", () => {
    // The printer's times are whole seconds: a job "older" by less than that may be newer.
    assert.equal(judgeMissingJob({ ...base, phase: "sending", oldestJobAt: attemptAt - 900 }).verdict, "unknown");
    assert.equal(judgeMissingJob({ ...base, phase: "sending", oldestJobAt: attemptAt }).verdict, "unknown");
  });

  it("while sending, with a printer that forgot everything older: it may have printed", () => {
    assert.equal(judgeMissingJob({ ...base, phase: "sending", oldestJobAt: null }).verdict, "unknown");
    assert.equal(judgeMissingJob({ ...base, phase: "sending", oldestJobAt: attemptAt + 1_000 }).verdict, "unknown");
  });

  it("while sending, with a restart since: it may have printed before the restart", () => {
    const e: Evidence = { ...base, phase: "sending", oldestJobAt: null, bootNow: attemptAt + 30_000 };
    assert.equal(judgeMissingJob(e).verdict, "unknown");
  });

  it("readings of one start a second apart are not a restart", () => {
    assert.equal(judgeMissingJob({ ...base, bootNow: boot + 1_000 }).verdict, "printed");
  });
});
