import type { LetterJob } from "./letter-job.js";

/**
 * Letters a renderer draws at start when LETTERS_WARM_UP is on: enough for V8 to compile the
 * drawing code beyond its first tier, a fraction of a second at start. Measured with the
 * letters benchmark (a group of 1,000, the first download once /readyz says ready): 1.15 s
 * after a 300-letter warm-up against 1.30 s after a 10-letter one, 2.0–2.5 s with none.
 */
export const WARM_UP_LETTERS = 300;

/** How long /readyz waits for the warm-up at most (it takes 1–2 s). */
export const WARM_UP_READY_MS = 30_000;

// Made up (no person is read, and the organization need not be set up yet), in every
// script the letter has a font for, so that each font is parsed and each path is compiled.
const FIRST = ["Ana", "Íñigo", "Zoë", "Olivia", "Jordi", "Ελένη", "Дмитрий", "小明", "さくら", "민준"];
const LAST = ["García", "Núñez", "Smith", "Öztürk", "Martín", "Παπαδοπούλου", "Иванов", "王", "髙橋", "김"];
const DEPARTMENTS = ["Reception", "Logística", "Finance", null];
const SITES = ["Head office", "Almacén Norte", null];

/** A document of WARM_UP_LETTERS letters nobody reads: new words, codes and QR codes on each. */
export function warmUpJob(): LetterJob {
  const people = Array.from({ length: WARM_UP_LETTERS }, (_, i) => {
    const script = i % 10;
    return {
      id: -(i + 1),
      fullName: `${FIRST[script]} ${LAST[script]}`,
      language: i % 2 ? "es" : "en",
      department: DEPARTMENTS[i % DEPARTMENTS.length] ?? null,
      site: SITES[i % SITES.length] ?? null,
      code: `WARM${String(i).padStart(4, "0")}`,
      url: `https://warm-up.invalid/i/never-issued-${i.toString(36)}-${(i * 7919).toString(36)}`,
      expiresAt: new Date(),
    };
  });
  return {
    paper: "A4",
    people,
    organizationName: "Invite Station",
    appName: "Invite Station",
    frontDeskContact: "Reception",
    appStoreUrl: "https://apps.apple.com/app/id0",
    playStoreUrl: "https://play.google.com/store/apps/details?id=example",
    logo: null,
    title: "Warm-up",
    language: "en",
  };
}
