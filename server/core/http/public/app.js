// Progressive enhancement for the admin pages. Every page works without it; the CSP
// allows only this file, never inline script.
(() => {
  // The top bar's menu: always open on a wide window (where its toggle is hidden), closed
  // when the window narrows; the same width as the CSS breakpoint in app.css.
  const menu = document.querySelector("[data-topbar-menu]");
  if (menu) {
    const wide = window.matchMedia("(min-width: 1200px)");
    const sync = () => {
      menu.open = wide.matches;
    };
    wide.addEventListener("change", sync);
    sync();
  }
  // Escape closes an open menu (the account's first), and a click elsewhere closes the account's.
  const account = document.querySelector("[data-account-menu]");
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const open = account?.open ? account : menu?.open && menu.querySelector("summary")?.offsetParent ? menu : null;
    if (!open) return;
    open.open = false;
    open.querySelector("summary")?.focus();
  });
  document.addEventListener("click", (event) => {
    if (account?.open && !account.contains(event.target)) account.open = false;
  });

  // Confirm destructive actions: <form data-confirm="Erase this person?">
  document.addEventListener("submit", (event) => {
    const form = event.target;
    const submitter = event.submitter;
    const message = submitter?.dataset.confirm || form.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // Filters that apply as soon as they change.
  for (const el of document.querySelectorAll("[data-autosubmit]")) {
    el.addEventListener("change", () => el.form?.requestSubmit());
  }

  // Selection in the users list: "select all" and the count in the bulk bar.
  const selectAll = document.querySelector("#select-all");
  const boxes = () => [...document.querySelectorAll("input[name='ids']")];
  const updateCount = () => {
    const n = boxes().filter((b) => b.checked).length;
    for (const el of document.querySelectorAll("[data-selected-count]"))
      el.textContent = el.dataset.template ? el.dataset.template.replace("{n}", n) : `${n} selected`;
    for (const el of document.querySelectorAll("[data-needs-selection]")) el.disabled = n === 0;
  };
  if (selectAll) {
    selectAll.addEventListener("change", () => {
      for (const b of boxes()) b.checked = selectAll.checked;
      updateCount();
    });
  }
  for (const b of boxes()) b.addEventListener("change", updateCount);
  if (boxes().length) updateCount();

  // Copy buttons: <button data-copy="#element-with-text">
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", async () => {
      const source = document.querySelector(button.dataset.copy);
      const text = source?.value ?? source?.textContent ?? "";
      try {
        await navigator.clipboard.writeText(text);
        button.textContent = "Copied";
      } catch {
        if (source?.select) source.select();
        button.textContent = "Press Ctrl+C to copy";
      }
    });
  }

  // Live progress of an import: <div data-import-status="/import/7/status">
  const progress = document.querySelector("[data-import-status]");
  if (progress) {
    const bar = progress.querySelector("progress");
    const label = progress.querySelector("[data-progress-label]");
    const poll = async () => {
      try {
        const res = await fetch(progress.dataset.importStatus, { headers: { accept: "application/json" } });
        const s = await res.json();
        if (bar && s.totalRows) {
          bar.max = s.totalRows;
          bar.value = s.processedRows;
        }
        if (label) label.textContent = s.progressText;
        if (!s.running) {
          window.location.reload();
          return;
        }
      } catch {
        if (label) label.textContent = "Waiting for the server…";
      }
      setTimeout(poll, 700);
    };
    setTimeout(poll, 300);
  }
})();
