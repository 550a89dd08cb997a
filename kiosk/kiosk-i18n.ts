import type { Language } from "../server/people/user.schema.js";

/**
 * The words of the lobby screen. The screen's chrome (idle view, status) is in the kiosk's
 * language; each person's tile in that person's. The screen script gets them as JSON.
 */
export type KioskStrings = {
  htmlLang: string;
  scan: string;
  scanHint: string;
  welcome: (firstName: string) => string;
  welcomeHint: string;
  nextCodeIn: string;
  waiting: (n: number) => string;
  idleTitle: string;
  idleBody: string;
  getTheApp: string;
  offline: string;
  pairTitle: string;
  pairBody: string;
  pairExpires: string;
  enrollTitle: (name: string) => string;
  enrollBody: string;
  enrollButton: string;
  enrollInvalidTitle: string;
  enrollInvalidBody: string;
};

const en: KioskStrings = {
  htmlLang: "en",
  scan: "Scan with the app",
  scanHint: "Open the app and scan this code to join",
  welcome: (name) => `Welcome, ${name}!`,
  welcomeHint: "You're in. See you in the app.",
  nextCodeIn: "New code in",
  waiting: (n) => (n === 1 ? "1 more person is next" : `${n} more people are next`),
  idleTitle: "Welcome",
  idleBody: "Ask the front desk to show your personal code here, then scan it with the app.",
  getTheApp: "Get the app",
  offline: "Reconnecting to the server…",
  pairTitle: "Pair this screen",
  pairBody: "On the Kiosks page, choose a kiosk and enter this code:",
  pairExpires: "The code changes in 15 minutes.",
  enrollTitle: (name) => `Use this screen as the kiosk “${name}”?`,
  enrollBody: "This screen will show the personal invitation codes the front desk sends to this kiosk.",
  enrollButton: "Use this screen",
  enrollInvalidTitle: "This enrolment link doesn't work",
  enrollInvalidBody: "It was used already or has expired (links are valid for 24 hours). Make a new one on the Kiosks page.",
};

const es: KioskStrings = {
  htmlLang: "es",
  scan: "Escanea con la app",
  scanHint: "Abre la app y escanea este código para unirte",
  welcome: (name) => `¡Bienvenido/a, ${name}!`,
  welcomeHint: "Ya estás dentro. Nos vemos en la app.",
  nextCodeIn: "Nuevo código en",
  waiting: (n) => (n === 1 ? "1 persona más a continuación" : `${n} personas más a continuación`),
  idleTitle: "Bienvenido/a",
  idleBody: "Pide en recepción que muestren aquí tu código personal y escanéalo con la app.",
  getTheApp: "Descarga la app",
  offline: "Reconectando con el servidor…",
  pairTitle: "Vincula esta pantalla",
  pairBody: "En la página Kioscos, elige un kiosco e introduce este código:",
  pairExpires: "El código cambia en 15 minutos.",
  enrollTitle: (name) => `¿Usar esta pantalla como el kiosco «${name}»?`,
  enrollBody: "Esta pantalla mostrará los códigos de invitación personales que recepción envíe a este kiosco.",
  enrollButton: "Usar esta pantalla",
  enrollInvalidTitle: "Este enlace de alta no funciona",
  enrollInvalidBody: "Ya se usó o ha caducado (los enlaces valen 24 horas). Crea uno nuevo en la página Kioscos.",
};

export const KIOSK_STRINGS: Record<Language, KioskStrings> = { en, es };

/** The strings the screen script needs for tiles, per language, with `{name}` placeholders. */
export function screenStrings(): Record<string, Record<string, string>> {
  return Object.fromEntries(
    Object.entries(KIOSK_STRINGS).map(([lang, t]) => [
      lang,
      {
        scan: t.scan,
        scanHint: t.scanHint,
        welcome: t.welcome("{name}"),
        welcomeHint: t.welcomeHint,
        nextCodeIn: t.nextCodeIn,
        waitingOne: t.waiting(1),
        waitingMany: t.waiting(2).replace("2", "{n}"),
        idleTitle: t.idleTitle,
        idleBody: t.idleBody,
        getTheApp: t.getTheApp,
        offline: t.offline,
      },
    ]),
  );
}
