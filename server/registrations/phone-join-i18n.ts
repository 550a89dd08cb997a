import type { JoinLanguage } from "../invitations/join-i18n.js";

/** The words of the self-service phone join (added to the join pages' own strings). */
export type PhoneJoinStrings = {
  phoneTitle: (org: string) => string;
  phoneLead: string;
  phoneLabel: string;
  phoneHint: string;
  sendCode: string;
  invalidPhone: string;
  codeTitle: string;
  codeLead: string;
  codeLabel: string;
  verify: string;
  wrongCode: string;
  otherNumber: string;
  /** The SMS: GSM-7 only, so that it fits one message. */
  sms: (org: string, code: string) => string;
};

const en: PhoneJoinStrings = {
  phoneTitle: (org) => `Join ${org} with your phone number`,
  phoneLead: "Enter the mobile number you gave the front desk. We'll text you a 6-digit code.",
  phoneLabel: "Mobile number",
  phoneHint: "For example +1 555 010 0000",
  sendCode: "Send me a code",
  invalidPhone: "That doesn't look like a phone number. Check it and try again.",
  codeTitle: "Enter your code",
  codeLead: "If this number is registered with us, a text with a 6-digit code is on its way. It works for 10 minutes.",
  codeLabel: "6-digit code",
  verify: "Join",
  wrongCode: "That code isn't right or has expired. Check the text, or ask for a new code.",
  otherNumber: "Use another number or get a new code",
  sms: (org, code) => `${code} is your ${org} code. It expires in 10 minutes. Don't share it.`,
};

const es: PhoneJoinStrings = {
  phoneTitle: (org) => `Únete a ${org} con tu número de teléfono`,
  phoneLead: "Escribe el número de móvil que diste en recepción. Te enviaremos un código de 6 cifras por SMS.",
  phoneLabel: "Número de móvil",
  phoneHint: "Por ejemplo +34 600 000 000",
  sendCode: "Enviarme un código",
  invalidPhone: "Eso no parece un número de teléfono. Revísalo e inténtalo de nuevo.",
  codeTitle: "Escribe tu código",
  codeLead: "Si este número está registrado, te llegará un SMS con un código de 6 cifras. Vale durante 10 minutos.",
  codeLabel: "Código de 6 cifras",
  verify: "Unirme",
  wrongCode: "Ese código no es correcto o ha caducado. Revisa el SMS o pide un código nuevo.",
  otherNumber: "Usar otro número o pedir un código nuevo",
  sms: (org, code) => `${code} es tu codigo de ${org}. Caduca en 10 minutos. No lo compartas.`,
};

export const PHONE_JOIN_STRINGS: Record<JoinLanguage, PhoneJoinStrings> = { en, es };
