import type { User } from "../../server/people/index.js";

const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true });
/** Empty values sort last: letters without a site or department come after the others. */
const byText = (a: string | null, b: string | null) =>
  a === b ? 0 : a === null || a === "" ? 1 : b === null || b === "" ? -1 : collator.compare(a, b);

/** The order letters come out of the printer: by site, department, last name (then first name). */
export function letterOrder(a: User, b: User): number {
  return (
    byText(a.site, b.site) ||
    byText(a.department, b.department) ||
    byText(a.lastName, b.lastName) ||
    byText(a.firstName, b.firstName) ||
    a.id - b.id
  );
}

/** Splits one printer's people into jobs of at most `size` letters, in letter order. */
export function chunkLetters(users: User[], size: number): User[][] {
  const sorted = [...users].sort(letterOrder);
  const jobs: User[][] = [];
  for (let i = 0; i < sorted.length; i += size) jobs.push(sorted.slice(i, i + size));
  return jobs;
}
