import type { UserInput } from "../../server/people/users.schema.js";

/** A person to register in a test: every optional field empty unless given. */
export const personInput = (fields: Partial<UserInput> & Pick<UserInput, "firstName" | "lastName">): UserInput => ({
  email: null,
  phone: null,
  phoneConsent: false,
  employeeId: null,
  department: null,
  site: null,
  language: "en",
  ...fields,
});
