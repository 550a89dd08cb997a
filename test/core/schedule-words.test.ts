import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { scheduleInWords } from "../../server/core/http/schedule-words.js";

describe("print schedule in words", () => {
  it("says the cron schedule in the admin's language, and keeps an expression it cannot describe", () => {
    assert.equal(scheduleInWords("0 2 * * *"), "At 02:00, every day");
    assert.equal(scheduleInWords("0 2 * * *", "es"), "A las 02:00, cada día");
    assert.equal(scheduleInWords("30 1 * * 1-5", "es"), "A las 01:30, de lunes a viernes");
    assert.equal(scheduleInWords("not a schedule"), "not a schedule");
  });
});
