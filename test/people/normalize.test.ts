import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fold, queryTerms, searchTerms } from "../../server/people/normalize.js";
import { parsePhone } from "../../server/people/phone.js";
import { parseUserInput } from "../../server/people/users.schema.js";

describe("normalizing what the front desk types", () => {
  it("folds case and accents for search and sorting", () => {
    assert.equal(fold("  García ÑÚÑEZ "), "garcia nunez");
    assert.deepEqual(queryTerms("Lucía  GARC"), ["lucia", "garc"]);
    assert.deepEqual(queryTerms("+34 612-34"), ["3461234"]);
    assert.deepEqual(queryTerms("Ana.Ruiz@Example.com"), ["ana.ruiz@example.com"]);
  });

  it("indexes names, email parts, phone digits and employee id", () => {
    const terms = searchTerms({
      firstName: "José Luis",
      lastName: "Pérez-Gómez",
      email: "JL.Perez@example.com",
      phone: "+34612345678",
      phoneNational: "612345678",
      employeeId: "HR-4471",
    });
    for (const t of ["jose", "luis", "perez", "gomez", "jl.perez@example.com", "jl", "34612345678", "612345678", "hr-4471"]) {
      assert.ok(terms.includes(t), t);
    }
  });

  it("normalizes phone numbers to E.164 in the default country and refuses invalid ones", () => {
    assert.equal(parsePhone("612 345 678", "ES")?.e164, "+34612345678");
    assert.equal(parsePhone("0044 7911 123456", "ES")?.e164, "+447911123456");
    assert.equal(parsePhone("+1 (415) 555-2671", "ES")?.e164, "+14155552671");
    assert.equal(parsePhone("12", "ES"), null);
    assert.equal(parsePhone("call me", "ES"), null);
  });

  it("names every invalid field of a person", () => {
    const r = parseUserInput({ firstName: " ", email: "not-an-email", phone: "123", language: "fr", lastName: "x\u0007" }, "ES");
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.deepEqual(Object.keys(r.errors).sort(), ["email", "firstName", "language", "lastName"]);
    const phone = parseUserInput({ firstName: "A", lastName: "B", phone: "123" }, "ES");
    assert.equal(phone.ok, false);
    if (!phone.ok) assert.match(phone.errors.phone ?? "", /not a valid phone number/);
  });
});
