/**
 * What the printer's own answers say about an attempt it no longer lists: the evidence,
 * and the verdict drawn from it. Pure, so that every rule is pinned by a test.
 */
export type Evidence = {
  /** How far the attempt got: 'sending' (its name saved, no job id yet) or 'sent' (the printer gave a job id). */
  phase: "sending" | "sent";
  /** When the attempt started (ms). */
  attemptSentAt: number | null;
  /** When the printer had last started, as it said just before the attempt (from printer-up-time). */
  bootAtAttempt: number | null;
  /** When the printer last started, as it says now. */
  bootNow: number | null;
  /** When the oldest job the printer still lists was made; null when it lists none or cannot tell. */
  oldestJobAt: number | null;
  /** The job's state at the printer as last seen. */
  lastPrinterState: string | null;
};

export type Verdict = {
  /** printed: nothing to send again; not-received: safe to send; unknown: the front desk decides. */
  verdict: "printed" | "not-received" | "unknown";
  reason: string;
};

/**
 * Two printer-up-time readings (whole seconds) of one start differ by up to about this; so
 * may a job's time-at-creation, turned into our clock through such a reading.
 */
const BOOT_TOLERANCE_MS = 1_500;

/** Whether the printer started again after the attempt; null when the printer does not say. */
export function restartedSince(e: Pick<Evidence, "bootAtAttempt" | "bootNow">): boolean | null {
  if (e.bootAtAttempt === null || e.bootNow === null) return null;
  return e.bootNow > e.bootAtAttempt + BOOT_TOLERANCE_MS;
}

/**
 * The printer has no job of the attempt's id (phase 'sent') or name (phase 'sending').
 * Never says "not received" when the document may have reached the printer.
 */
export function judgeMissingJob(e: Evidence): Verdict {
  const restarted = restartedSince(e);
  if (e.phase === "sent") {
    if (restarted === false)
      return {
        verdict: "printed",
        reason:
          "The printer accepted the job and has since forgotten it without restarting: printers forget jobs once they are done.",
      };
    if (restarted === true)
      return {
        verdict: "unknown",
        reason: `The printer restarted while it held the job (last seen ${e.lastPrinterState ?? "pending"}): it may or may not have printed.`,
      };
    return { verdict: "unknown", reason: "The printer no longer knows the job and does not say whether it restarted." };
  }
  if (restarted === true)
    return {
      verdict: "unknown",
      reason:
        "The service stopped while sending the job and the printer restarted since: it may have printed before the restart.",
    };
  // Only a job clearly older than the attempt shows that the printer's memory reaches back before it.
  if (
    restarted === false &&
    e.oldestJobAt !== null &&
    e.attemptSentAt !== null &&
    e.oldestJobAt + BOOT_TOLERANCE_MS <= e.attemptSentAt
  )
    return {
      verdict: "not-received",
      reason: "The printer has no job of this attempt's name and still lists jobs older than the attempt: it never received it.",
    };
  return {
    verdict: "unknown",
    reason:
      "The service stopped while sending the job; the printer has no job of its name but no longer lists jobs that old, so it may have printed and forgotten it.",
  };
}
