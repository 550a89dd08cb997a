import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ValidationError } from "../../server/core/errors.js";
import { parseListQuery } from "../../server/people/list-query.schema.js";

const problems = (query: Record<string, unknown>): Record<string, string> => {
  try {
    parseListQuery(query);
  } catch (err) {
    assert.ok(err instanceof ValidationError);
    assert.equal(err.message, "Some list parameters are not valid.");
    return err.fields;
  }
  assert.fail("the query was accepted");
};

describe("the users list's query parameters", () => {
  it("takes absent and blank parameters as the defaults, and ignores unknown ones", () => {
    const defaults = { sort: "name", dir: "asc", page: 1, pageSize: 50 };
    assert.deepEqual(parseListQuery({}), defaults);
    assert.deepEqual(parseListQuery({ q: "  ", status: "", group: null, other: ["x"] }), defaults);
  });

  it("reads every filter, trimmed, and numbers given as numbers", () => {
    assert.deepEqual(
      parseListQuery({
        q: " garcía ",
        status: "pending",
        group: 7,
        department: "Sales",
        site: "Bilbao",
        sort: "site",
        dir: "desc",
        page: "3",
        pageSize: "200",
      }),
      {
        q: "garcía",
        status: "pending",
        groupId: 7,
        department: "Sales",
        site: "Bilbao",
        sort: "site",
        dir: "desc",
        page: 3,
        pageSize: 200,
      },
    );
  });

  it("names every invalid parameter with its own message, in the parameters' order", () => {
    const fields = problems({
      pageSize: "500",
      page: "0",
      dir: "up",
      sort: "shoe",
      site: "s".repeat(192),
      department: "d".repeat(192),
      group: "abc",
      status: "gone",
      q: "a".repeat(101),
    });
    assert.deepEqual(fields, {
      q: "must be at most 100 characters",
      status: "must be one of pending, active, deactivated",
      group: "must be a group id (a whole number of at least 1)",
      department: "must be at most 191 characters",
      site: "must be at most 191 characters",
      sort: "must be one of name, created, status, department, site",
      dir: "must be one of asc, desc",
      page: "must be a whole number between 1 and 1000000",
      pageSize: "must be a whole number between 1 and 200",
    });
    assert.deepEqual(Object.keys(fields), ["q", "status", "group", "department", "site", "sort", "dir", "page", "pageSize"]);
  });

  it("refuses a parameter given twice or as anything but text", () => {
    assert.deepEqual(problems({ status: ["pending", "active"], page: { a: 1 }, q: Number.NaN }), {
      q: "must be given once, as text",
      status: "must be given once, as text",
      page: "must be given once, as text",
    });
    assert.deepEqual(problems({ group: "0", page: "1.5", pageSize: "-1" }), {
      group: "must be a group id (a whole number of at least 1)",
      page: "must be a whole number between 1 and 1000000",
      pageSize: "must be a whole number between 1 and 200",
    });
  });
});
