import type { Language } from "../../server/people/user.schema.js";

/**
 * The words of the printed invitation letter. Every language has every string (a missing
 * one is a compile error). Values are plain text: the PDF has no markup to escape.
 */
export type LetterStrings = {
  /** BCP 47 tag for dates and the PDF's /Lang. */
  locale: string;
  documentTitle: (org: string) => string;
  eyebrow: (org: string) => string;
  welcome: (fullName: string) => string;
  intro: (org: string, app: string) => string;
  why: [string, string][];
  stepsTitle: string;
  installTitle: (app: string) => string;
  installBody: (app: string) => string;
  installNoStores: (app: string) => string;
  scanTitle: string;
  scanBody: string;
  doneTitle: string;
  doneBody: (app: string) => string;
  appStore: string;
  playStore: string;
  qrCaption: string;
  typeCode: (app: string) => string;
  validUntil: (date: string) => string;
  noExpiry: string;
  personalTitle: string;
  personalBody: string;
  helpTitle: string;
  helpAt: (contact: string) => string;
  helpNoContact: string;
};

const en: LetterStrings = {
  locale: "en-GB",
  documentTitle: (org) => `Your invitation to join ${org}`,
  eyebrow: (org) => `Invitation · ${org}`,
  welcome: (fullName) => `Welcome, ${fullName}`,
  intro: (org, app) =>
    `${org} uses ${app} to keep everyone informed. Your colleagues are already there — join them to read company news and your team's messages on your phone.`,
  why: [
    ["News first", "Announcements and changes reach you as they happen."],
    ["Your team", "Messages from your groups, wherever you work."],
    ["On your phone", "No computer or email address needed."],
  ],
  stepsTitle: "Join in three steps",
  installTitle: (app) => `Install ${app}`,
  installBody: (app) => `It's free. Scan a code below with your phone, or search for “${app}” in your app store.`,
  installNoStores: (app) => `It's free: search for “${app}” in your phone's app store.`,
  scanTitle: "Scan your personal code",
  scanBody: "Open your phone's camera, point it at the large code on this letter and tap the link that appears.",
  doneTitle: "You're in",
  doneBody: (app) => `Sign in to ${app}: your team's messages are waiting for you.`,
  appStore: "App Store (iPhone)",
  playStore: "Google Play (Android)",
  qrCaption: "Your personal code",
  typeCode: (app) => `No camera? Enter this code in ${app}:`,
  validUntil: (date) => `Valid until ${date}`,
  noExpiry: "Valid until you join",
  personalTitle: "Personal and non-transferable — do not share.",
  personalBody:
    "This code joins you, and only you. Keep this letter to yourself; if you lose it, ask the front desk for a new one.",
  helpTitle: "Questions?",
  helpAt: (contact) => `Ask the front desk: ${contact}`,
  helpNoContact: "Ask the front desk.",
};

const es: LetterStrings = {
  locale: "es-ES",
  documentTitle: (org) => `Tu invitación para unirte a ${org}`,
  eyebrow: (org) => `Invitación · ${org}`,
  welcome: (fullName) => `Te damos la bienvenida, ${fullName}`,
  intro: (org, app) =>
    `${org} usa ${app} para mantener a todos informados. Tus compañeros ya están allí: únete para leer las noticias de la empresa y los mensajes de tu equipo en tu teléfono.`,
  why: [
    ["Noticias al momento", "Los avisos y cambios te llegan en cuanto se publican."],
    ["Tu equipo", "Los mensajes de tus grupos, trabajes donde trabajes."],
    ["En tu teléfono", "Sin ordenador ni correo electrónico."],
  ],
  stepsTitle: "Únete en tres pasos",
  installTitle: (app) => `Instala ${app}`,
  installBody: (app) => `Es gratis. Escanea un código de abajo con tu teléfono o busca «${app}» en tu tienda de aplicaciones.`,
  installNoStores: (app) => `Es gratis: busca «${app}» en la tienda de aplicaciones de tu teléfono.`,
  scanTitle: "Escanea tu código personal",
  scanBody: "Abre la cámara del teléfono, apunta al código grande de esta carta y pulsa el enlace que aparece.",
  doneTitle: "Ya estás dentro",
  doneBody: (app) => `Inicia sesión en ${app}: los mensajes de tu equipo te esperan.`,
  appStore: "App Store (iPhone)",
  playStore: "Google Play (Android)",
  qrCaption: "Tu código personal",
  typeCode: (app) => `¿Sin cámara? Escribe este código en ${app}:`,
  validUntil: (date) => `Válido hasta el ${date}`,
  noExpiry: "Válido hasta que te unas",
  personalTitle: "Personal e intransferible: no lo compartas.",
  personalBody: "Este código te une a ti, y solo a ti. Guarda esta carta para ti; si la pierdes, pide una nueva en recepción.",
  helpTitle: "¿Dudas?",
  helpAt: (contact) => `Pregunta en recepción: ${contact}`,
  helpNoContact: "Pregunta en recepción.",
};

export const LETTER_STRINGS: Record<Language, LetterStrings> = { en, es };

export function letterStrings(language: string): LetterStrings {
  return LETTER_STRINGS[language as Language] ?? en;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Dates already formatted, by locale and local day: formatting costs more than a letter's text. */
const formatted = new Map<string, string>();

/** "12 April 2026" / "12 de abril de 2026", in the server's time zone (TZ), as the batch runs. */
export function formatLetterDate(strings: LetterStrings, date: Date): string {
  // The formatter uses the default time zone, as the local getters do: same day, same words.
  const key = `${strings.locale}:${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
  let text = formatted.get(key);
  if (text !== undefined) return text;
  let f = formatters.get(strings.locale);
  if (!f) {
    f = new Intl.DateTimeFormat(strings.locale, { day: "numeric", month: "long", year: "numeric" });
    formatters.set(strings.locale, f);
  }
  text = f.format(date);
  if (formatted.size >= 1000) formatted.clear();
  formatted.set(key, text);
  return text;
}
