/**
 * The words of the join pages, which employees read on their phone. Every language has
 * every string (the type makes a missing one a compile error); interpolated values are
 * plain text that the templates escape.
 */
export const JOIN_LANGUAGES = ["en", "es"] as const;
export type JoinLanguage = (typeof JOIN_LANGUAGES)[number];

/** Why a link does not work, as the person is told. A deactivated person reads "unknown". */
export type JoinFailure = "unknown" | "expired" | "revoked" | "used" | "limited" | "stale";

export type JoinStrings = {
  /** `<html lang>` */
  htmlLang: string;
  pageTitle: (org: string) => string;
  greeting: (firstName: string) => string;
  invited: (org: string) => string;
  why: (org: string, app: string) => string;
  join: string;
  joinHint: string;
  stepsTitle: string;
  stepInstall: (app: string) => string;
  stepInstallNoStores: (app: string) => string;
  stepJoin: string;
  stepSignIn: (app: string) => string;
  appStoreSmall: string;
  playStoreSmall: string;
  openInApp: (app: string) => string;
  personal: string;
  help: string;
  helpAt: (contact: string) => string;
  helpNoContact: string;
  askDesk: string;
  welcomeTitle: (org: string) => string;
  welcome: (firstName: string) => string;
  joined: (org: string) => string;
  nextTitle: string;
  nextInstall: (app: string) => string;
  nextSignIn: (app: string) => string;
  openApp: (app: string) => string;
  failures: Record<JoinFailure, { title: string; body: string }>;
  usedAlready: (app: string) => string;
  retryIn: (minutes: number) => string;
  /** The hand-off to the app (the page does not join; the app does). */
  handoffHint: (app: string) => string;
  handoffNoLink: (app: string) => string;
  codeTitle: string;
  codeHint: (app: string) => string;
  stepOpen: (app: string) => string;
};

const en: JoinStrings = {
  htmlLang: "en",
  pageTitle: (org) => `Join ${org}`,
  greeting: (firstName) => `Hi ${firstName}`,
  invited: (org) => `You're invited to join ${org}.`,
  why: (org, app) => `${org} uses ${app} to keep everyone informed.`,
  join: "Join",
  joinHint: "Tap Join to accept your invitation. It takes a second.",
  stepsTitle: "Get the app in three steps",
  stepInstall: (app) => `Install ${app} on your phone:`,
  stepInstallNoStores: (app) => `Install ${app} on your phone from your app store.`,
  stepJoin: "Tap Join above to accept your invitation.",
  stepSignIn: (app) => `Open ${app} and sign in. Your team's messages are waiting for you.`,
  appStoreSmall: "Download on the",
  playStoreSmall: "Get it on",
  openInApp: (app) => `Open in ${app}`,
  personal: "This invitation is personal. Please don't forward it.",
  help: "Need help?",
  helpAt: (contact) => `Ask the front desk: ${contact}`,
  helpNoContact: "Ask the front desk.",
  askDesk: "Ask the front desk for a new link",
  welcomeTitle: (org) => `Welcome to ${org}`,
  welcome: (firstName) => `Welcome, ${firstName}!`,
  joined: (org) => `You have joined ${org}.`,
  nextTitle: "What's next",
  nextInstall: (app) => `Install ${app} if you don't have it yet.`,
  nextSignIn: (app) => `Open ${app} and sign in to read your team's messages.`,
  openApp: (app) => `Open ${app}`,
  failures: {
    unknown: {
      title: "This link doesn't work",
      body: "We couldn't find this invitation. Check that you opened the whole link, or ask the front desk for a new one.",
    },
    expired: {
      title: "This invitation has expired",
      body: "Invitation links are only valid for a while. Ask the front desk for a new one.",
    },
    revoked: {
      title: "This invitation is no longer valid",
      body: "It was replaced or cancelled. If you received a newer invitation, use that one; otherwise ask the front desk for a new one.",
    },
    used: {
      title: "This invitation has already been used",
      body: "Each invitation link works once. If you have not joined yet, ask the front desk for a new one.",
    },
    stale: {
      title: "This code has changed",
      body: "The code on the screen changes every few seconds. Scan the code the screen shows now.",
    },
    limited: {
      title: "Too many attempts",
      body: "Too many links that don't work were opened from this network. Please wait a little and try again.",
    },
  },
  usedAlready: (app) => `If you already joined, you're all set: open ${app} and sign in.`,
  retryIn: (minutes) => (minutes <= 1 ? "You can try again in a minute." : `You can try again in ${minutes} minutes.`),
  handoffHint: (app) => `Tap the button to open ${app}: your invitation goes with it. Install ${app} first if you don't have it.`,
  handoffNoLink: (app) => `Install ${app}, open it and enter the code below.`,
  codeTitle: "Or enter this code in the app",
  codeHint: (app) => `When ${app} asks for your invitation code, type:`,
  stepOpen: (app) => `Open ${app} with the button above, or enter your code in it.`,
};

const es: JoinStrings = {
  htmlLang: "es",
  pageTitle: (org) => `Únete a ${org}`,
  greeting: (firstName) => `Hola ${firstName}`,
  invited: (org) => `Te invitamos a unirte a ${org}.`,
  why: (org, app) => `${org} usa ${app} para mantener a todos informados.`,
  join: "Unirme",
  joinHint: "Pulsa Unirme para aceptar tu invitación. Solo lleva un segundo.",
  stepsTitle: "Descarga la app en tres pasos",
  stepInstall: (app) => `Instala ${app} en tu teléfono:`,
  stepInstallNoStores: (app) => `Instala ${app} en tu teléfono desde tu tienda de aplicaciones.`,
  stepJoin: "Pulsa Unirme, arriba, para aceptar tu invitación.",
  stepSignIn: (app) => `Abre ${app} e inicia sesión. Los mensajes de tu equipo te esperan.`,
  appStoreSmall: "Descárgalo en el",
  playStoreSmall: "Disponible en",
  openInApp: (app) => `Abrir en ${app}`,
  personal: "Esta invitación es personal. Por favor, no la reenvíes.",
  help: "¿Necesitas ayuda?",
  helpAt: (contact) => `Pregunta en recepción: ${contact}`,
  helpNoContact: "Pregunta en recepción.",
  askDesk: "Pide un enlace nuevo en recepción",
  welcomeTitle: (org) => `Te damos la bienvenida a ${org}`,
  welcome: (firstName) => `¡Te damos la bienvenida, ${firstName}!`,
  joined: (org) => `Te has unido a ${org}.`,
  nextTitle: "Y ahora",
  nextInstall: (app) => `Instala ${app} si aún no la tienes.`,
  nextSignIn: (app) => `Abre ${app} e inicia sesión para leer los mensajes de tu equipo.`,
  openApp: (app) => `Abrir ${app}`,
  failures: {
    unknown: {
      title: "Este enlace no funciona",
      body: "No encontramos esta invitación. Comprueba que abriste el enlace completo o pide uno nuevo en recepción.",
    },
    expired: {
      title: "Esta invitación ha caducado",
      body: "Los enlaces de invitación solo son válidos durante un tiempo. Pide uno nuevo en recepción.",
    },
    revoked: {
      title: "Esta invitación ya no es válida",
      body: "Se ha sustituido o cancelado. Si recibiste una invitación más reciente, usa esa; si no, pide una nueva en recepción.",
    },
    used: {
      title: "Esta invitación ya se ha usado",
      body: "Cada enlace de invitación funciona una sola vez. Si aún no te has unido, pide uno nuevo en recepción.",
    },
    stale: {
      title: "Este código ha cambiado",
      body: "El código de la pantalla cambia cada pocos segundos. Escanea el código que muestra la pantalla ahora.",
    },
    limited: {
      title: "Demasiados intentos",
      body: "Se han abierto demasiados enlaces que no funcionan desde esta red. Espera un poco y vuelve a intentarlo.",
    },
  },
  usedAlready: (app) => `Si ya te uniste, todo está listo: abre ${app} e inicia sesión.`,
  retryIn: (minutes) =>
    minutes <= 1 ? "Puedes volver a intentarlo en un minuto." : `Puedes volver a intentarlo en ${minutes} minutos.`,
  handoffHint: (app) =>
    `Pulsa el botón para abrir ${app}: tu invitación va incluida. Si aún no tienes ${app}, instálala primero.`,
  handoffNoLink: (app) => `Instala ${app}, ábrela y escribe el código de abajo.`,
  codeTitle: "O escribe este código en la app",
  codeHint: (app) => `Cuando ${app} te pida el código de invitación, escribe:`,
  stepOpen: (app) => `Abre ${app} con el botón de arriba o escribe en ella tu código.`,
};

export const JOIN_STRINGS: Record<JoinLanguage, JoinStrings> = { en, es };

export function isJoinLanguage(value: unknown): value is JoinLanguage {
  return typeof value === "string" && (JOIN_LANGUAGES as readonly string[]).includes(value);
}

/**
 * The browser's preferred language we have, from an Accept-Language header such as
 * "es-ES,es;q=0.9,en;q=0.8" (highest q first, ties in the order given), or null.
 */
export function fromAcceptLanguage(header: string | undefined): JoinLanguage | null {
  if (!header) return null;
  const ranked = header
    .split(",")
    .slice(0, 20)
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/i.exec(p)).find(Boolean);
      return { primary: tag.trim().toLowerCase().split("-")[0] ?? "", q: q ? Number(q[1]) : 1, index };
    })
    .filter((c) => c.q > 0 && !Number.isNaN(c.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.map((c) => c.primary).find(isJoinLanguage) ?? null;
}

/** The person's own language when we have it, else the browser's, else English. */
export function pickJoinLanguage(personLanguage: string | null | undefined, acceptLanguage: string | undefined): JoinLanguage {
  const own = personLanguage?.toLowerCase().split("-")[0];
  if (isJoinLanguage(own)) return own;
  return fromAcceptLanguage(acceptLanguage) ?? "en";
}
