/**
 * The words of the invitation email and SMS, per language. Every language has every string
 * (a missing one is a compile error); values are plain text that the templates escape.
 * The SMS texts use only GSM-7 characters so that they fit one SMS (see sms/gsm.ts).
 */
export const MESSAGE_LANGUAGES = ["en", "es"] as const;
export type MessageLanguage = (typeof MESSAGE_LANGUAGES)[number];

export type InvitationStrings = {
  htmlLang: string;
  locale: string;
  subject: (org: string, app: string) => string;
  preheader: (org: string) => string;
  greeting: (firstName: string) => string;
  intro: (org: string, app: string) => string;
  button: string;
  linkFallback: string;
  codeIntro: (app: string) => string;
  qrIntro: string;
  qrAlt: string;
  storesIntro: (app: string) => string;
  appStore: string;
  playStore: string;
  expires: (date: string) => string;
  personal: string;
  footer: (org: string) => string;
  smsFull: (org: string, app: string, link: string) => string;
  smsShort: (org: string, link: string) => string;
};

const en: InvitationStrings = {
  htmlLang: "en",
  locale: "en-GB",
  subject: (org, app) => `Your invitation to join ${org} on ${app}`,
  preheader: (org) => `${org} is waiting for you. Your personal link is inside.`,
  greeting: (firstName) => `Hi ${firstName},`,
  intro: (org, app) => `${org} invites you to join ${app}, where your team shares news and messages.`,
  button: "Accept your invitation",
  linkFallback: "If the button doesn't work, copy this link into your browser:",
  codeIntro: (app) => `Or open ${app} and type this code:`,
  qrIntro: "Or scan this code with your phone's camera:",
  qrAlt: "QR code of your personal invitation link",
  storesIntro: (app) => `Don't have ${app} yet? Download it:`,
  appStore: "App Store",
  playStore: "Google Play",
  expires: (date) => `Your invitation is valid until ${date}.`,
  personal: "This invitation is personal. Please don't forward this email.",
  footer: (org) => `Sent by ${org} with Invite Station.`,
  smsFull: (org, app, link) => `${org}: join us on ${app}: ${link}`,
  smsShort: (org, link) => `${org}: join us: ${link}`,
};

const es: InvitationStrings = {
  htmlLang: "es",
  locale: "es-ES",
  subject: (org, app) => `Tu invitación para unirte a ${org} en ${app}`,
  preheader: (org) => `${org} te espera. Dentro encontrarás tu enlace personal.`,
  greeting: (firstName) => `Hola ${firstName}:`,
  intro: (org, app) => `${org} te invita a unirte a ${app}, donde tu equipo comparte noticias y mensajes.`,
  button: "Aceptar la invitación",
  linkFallback: "Si el botón no funciona, copia este enlace en tu navegador:",
  codeIntro: (app) => `O abre ${app} y escribe este código:`,
  qrIntro: "O escanea este código con la cámara del teléfono:",
  qrAlt: "Código QR de tu enlace de invitación personal",
  storesIntro: (app) => `¿Aún no tienes ${app}? Descárgala:`,
  appStore: "App Store",
  playStore: "Google Play",
  expires: (date) => `Tu invitación es válida hasta el ${date}.`,
  personal: "Esta invitación es personal. Por favor, no reenvíes este correo.",
  footer: (org) => `Enviado por ${org} con Invite Station.`,
  smsFull: (org, app, link) => `${org}: te invitamos a ${app}: ${link}`,
  smsShort: (org, link) => `${org}: te invitamos: ${link}`,
};

export const INVITATION_STRINGS: Record<MessageLanguage, InvitationStrings> = { en, es };

/** The person's language when we have its words, else English. */
export function messageLanguage(language: string | null | undefined): MessageLanguage {
  const primary = language?.toLowerCase().split("-")[0];
  return (MESSAGE_LANGUAGES as readonly string[]).includes(primary ?? "") ? (primary as MessageLanguage) : "en";
}
