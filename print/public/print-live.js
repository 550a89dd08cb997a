// Live print job states and printer status on the print pages. The pages work without it;
// the CSP allows only files like this one, never inline script.
(() => {
  // Every word comes from the page, in its language (views/print/live-script.ejs); the
  // state's own name is the last resort.
  const labels = window.InviteStationLive?.labels(document.currentScript) ?? {};
  const JOB_LABELS = labels.job || {};
  const PRINTER_LABELS = labels.printer || {};
  const FINAL = ["completed", "failed", "canceled", "unconfirmed"];
  const JOB_BADGES = {
    queued: "badge-send-queued",
    processing: "badge-send-sending",
    completed: "badge-send-sent",
    failed: "badge-send-failed",
    canceled: "badge-deactivated",
    unconfirmed: "badge-send-failed",
  };
  const PRINTER_BADGES = {
    idle: "badge-send-sent",
    processing: "badge-send-sending",
    stopped: "badge-send-failed",
    unreachable: "badge-send-failed",
  };
  // A spooler took the job and tells nothing more (Windows): done, not known to be printed.
  const SPOOLED = "spooled";

  // The same form as the server's formatDateTime: "1 Dec 2026, 22:15 UTC" ("1 dic 2026, …").
  const DAY = new Intl.DateTimeFormat(labels.locale || undefined, {
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  });
  const when = (iso) => {
    const d = new Date(iso);
    return `${DAY.format(d)}, ${d.toISOString().slice(11, 16)} UTC`;
  };
  const set = (root, selector, text) => {
    const el = root.querySelector(selector);
    if (el) el.textContent = text;
  };

  /** Shows one job's state in every element that follows it. */
  const render = (el, job) => {
    el.dataset.status = job.status;
    const badge = el.querySelector("[data-job-badge]");
    if (badge) {
      const spooled = job.status === "completed" && job.printerState === SPOOLED;
      const shown = spooled ? SPOOLED : job.status;
      badge.className = `badge ${spooled ? "badge-send-queued" : JOB_BADGES[job.status] || ""}`;
      badge.textContent = JOB_LABELS[shown] || shown;
    }
    const atPrinter = job.printerState
      ? (labels.atThePrinter || "{state}").replace("{state}", job.printerState)
      : labels.notAtThePrinterYet || "";
    set(el, "[data-printer-state]", job.status === "processing" || el.classList.contains("print-job-live") ? atPrinter : "");
    if (!job.keepError) set(el, "[data-job-error]", job.status === "completed" ? "" : job.error || "");
    set(el, "[data-job-attempts]", String(job.attempts));
    set(el, "[data-printer-job-id]", job.printerJobId || "—");
    if (job.completedAt) set(el, "[data-job-finished]", when(job.completedAt));
  };

  const followed = [...document.querySelectorAll("[data-print-job]")];
  const open = () => followed.filter((el) => !FINAL.includes(el.dataset.status));

  // Pushed updates over the admin pages' live connection (live.js); polling covers the gaps.
  let pushed = false;
  if (followed.length && window.InviteStationLive) {
    window.InviteStationLive.on("print.job.updated", (job) => {
      for (const el of followed) {
        if (el.dataset.printJob !== `/print-jobs/${job.id}.json`) continue;
        // The pushed job speaks English; its error comes again from the page's own feed.
        render(el, { ...job, error: null, keepError: true });
        refresh(el);
      }
    });
    window.InviteStationLive.onStatus((connected) => {
      pushed = connected;
    });
  }

  /** One job again from its page feed (in the page's language). */
  const refresh = async (el) => {
    try {
      const res = await fetch(el.dataset.printJob, { headers: { accept: "application/json" } });
      if (res.ok) render(el, await res.json());
    } catch {
      // The server is restarting: the next poll catches up.
    }
  };

  const poll = async () => {
    const waiting = open();
    if (!waiting.length) return;
    await Promise.all(waiting.map((el) => refresh(el)));
    // With a live connection a slow poll only catches what was missed during a reconnect.
    setTimeout(poll, pushed ? 5000 : 1000);
  };
  if (open().length) setTimeout(poll, 500);

  for (const cell of document.querySelectorAll("[data-printer-status]")) {
    fetch(cell.dataset.printerStatus, { headers: { accept: "application/json" } })
      .then((res) => res.json())
      .then((s) => {
        const badge = cell.querySelector(".badge");
        badge.className = `badge ${PRINTER_BADGES[s.state] || ""}`;
        badge.textContent = PRINTER_LABELS[s.state] || s.state;
        const notes = s.state === "unreachable" ? [s.error] : [...s.reasons, ...s.warnings];
        set(cell, "[data-reasons]", notes.filter(Boolean).join(" · "));
      })
      .catch(() => set(cell, "[data-reasons]", labels.couldNotAskThePrinter || ""));
  }
})();
