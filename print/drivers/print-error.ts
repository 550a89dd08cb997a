/**
 * Why a print attempt did not go through, in words fit for the admin pages (never a
 * password or a token). `retriable`: the printer is busy, stopped or unreachable, so the
 * same document may go through later (the retry policy applies); otherwise it never will
 * (an unsupported format, a refused request) and the job fails at once.
 */
export class PrintError extends Error {
  constructor(
    message: string,
    readonly reason: string,
    readonly retriable: boolean,
    /**
     * The printer answered the request and turned it down (an IPP error status): nothing of
     * it was accepted. False when the answer never came (a timeout, a dropped connection),
     * after which a document may have reached the printer.
     */
    readonly refused = false,
  ) {
    super(message);
    this.name = "PrintError";
  }
}

/** IPP status codes after which the same request may succeed later. */
export const RETRIABLE_IPP_STATUS = new Set([
  "server-error-busy",
  "server-error-not-accepting-jobs",
  "server-error-service-unavailable",
  "server-error-temporary-error",
  "server-error-job-canceled",
]);
