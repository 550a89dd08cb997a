/** Folding used for every case- and accent-insensitive comparison: "García" → "garcia". */
export function fold(s: string): string {
  return s
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .trim();
}

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();
export const normalizeEmployeeId = (id: string): string => fold(id).replace(/\s+/g, "");
export const normalizeGroupName = (name: string): string => fold(name).replace(/\s+/g, " ");

const WORD_SPLIT = /[^\p{L}\p{N}]+/u;

export const words = (s: string): string[] => fold(s).split(WORD_SPLIT).filter(Boolean);

/** The value the users list sorts by: "last first", folded, cut to fit an index. */
export const sortName = (first: string, last: string): string => `${fold(last)} ${fold(first)}`.slice(0, 191);

export type SearchFields = {
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  phoneNational: string | null;
  employeeId: string | null;
};

/** Every prefix-searchable term of a person: name words, email parts, phone digits, employee id. */
export function searchTerms(p: SearchFields): string[] {
  const terms = new Set<string>([...words(p.firstName), ...words(p.lastName)]);
  if (p.email) {
    const email = normalizeEmail(p.email);
    terms.add(email);
    for (const w of words(email.split("@")[0] ?? "")) terms.add(w);
  }
  if (p.phone) terms.add(p.phone.replace(/\D/g, ""));
  if (p.phoneNational) terms.add(p.phoneNational);
  if (p.employeeId) {
    terms.add(normalizeEmployeeId(p.employeeId));
    // A query is split into words, so "HR-4471" must be findable as "hr" and "4471" too.
    for (const w of words(p.employeeId)) terms.add(w);
  }
  return [...terms].filter((t) => t.length > 0).map((t) => t.slice(0, 191));
}

/**
 * A query split into the terms that must all prefix-match: a phone-looking query becomes
 * its digits, anything else its folded words (an email stays whole).
 */
export function queryTerms(q: string): string[] {
  const trimmed = q.trim();
  if (!trimmed) return [];
  if (/^[+\d][\d\s().-]*$/.test(trimmed) && trimmed.replace(/\D/g, "").length >= 3) {
    return [trimmed.replace(/\D/g, "")];
  }
  if (trimmed.includes("@")) return [normalizeEmail(trimmed)];
  return [...new Set(words(trimmed))].slice(0, 5);
}
