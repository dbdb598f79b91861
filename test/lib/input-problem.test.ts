/**
 * The one translation of a refused input into words (src/lib/input-problem.ts), by the table:
 * each zod problem an input can have, the words the API says (its own field names) and the words
 * a form says (the field by its label), never zod's English.
 */
import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { describeInput, fieldLabel, inputProblem, labelled, notADate } from "../../src/lib/input-problem.ts";
import { parseDate } from "../../src/protocol/index.ts";

const date = z.string().transform((s, ctx) => parseDate(s) ?? (ctx.addIssue({ code: "custom", message: notADate(s) }), z.NEVER));
const body = z.strictObject({
  name: z.string().trim().min(1).max(10),
  bearer_token: z.string().min(1).nullable().optional(),
  validTo: date.optional(),
  admin: z.number().int().min(0).max(2).optional(),
  kind: z.enum(["fixed", "flexible"]).optional(),
  weekdays: z.array(z.number()).min(1).max(7).optional(),
  url: z.url().optional(),
  reason: z.string().min(1, "say why (a reason is required)").optional(),
  credentials: z.array(z.strictObject({ data: z.string().min(1) })).optional(),
});
const refused = (input: unknown) => {
  const r = body.safeParse(input);
  if (r.success) throw new Error("accepted");
  return r.error;
};

describe("a refused input in words", () => {
  const cases: Array<[string, unknown, string, string]> = [
    ["missing", {}, "name: is required", "Name: is required"],
    ["blank", { name: "  " }, "name: fill this in", "Name: fill this in"],
    ["too long", { name: "x".repeat(11) }, "name: use at most 10 characters", "Name: use at most 10 characters"],
    ["an empty token", { name: "a", bearer_token: "" }, "bearer_token: fill this in", "Bearer token: fill this in"],
    ["not a date at all", { name: "a", validTo: "tomorrow" }, "validTo: tomorrow is not a date (YYYY-MM-DD)", "Valid to: tomorrow is not a date (YYYY-MM-DD)"],
    ["a date that does not exist", { name: "a", validTo: "2026-02-30" }, "validTo: 2026-02-30 is not a date", "Valid to: 2026-02-30 is not a date"],
    ["a number too big", { name: "a", admin: 3 }, "admin: must be at most 2", "Admin: must be at most 2"],
    ["a number too small", { name: "a", admin: -1 }, "admin: must be at least 0", "Admin: must be at least 0"],
    ["text for a number", { name: "a", admin: "2" }, "admin: must be a number", "Admin: must be a number"],
    ["not a choice", { name: "a", kind: "night" }, "kind: choose one of fixed, flexible", "Kind: choose one of fixed, flexible"],
    ["an empty list", { name: "a", weekdays: [] }, "weekdays: give at least one", "Weekdays: give at least one"],
    ["a long list", { name: "a", weekdays: [1, 2, 3, 4, 5, 6, 7, 8] }, "weekdays: give at most 7", "Weekdays: give at most 7"],
    ["not a web address", { name: "a", url: "nope" }, "url: is not a web address", "Url: is not a web address"],
    ["the schema's own words", { name: "a", reason: "" }, "reason: say why (a reason is required)", "Reason: say why (a reason is required)"],
    ["in a list", { name: "a", credentials: [{ data: "" }] }, "credentials.0.data: fill this in", "Data: fill this in"],
    ["an unknown field", { name: "a", colour: "red" }, 'unknown field "colour"', 'unknown field "colour"'],
  ];
  test.each(cases)("%s", (_, input, api, form) => {
    expect(describeInput(refused(input))).toBe(api);
    expect(describeInput(refused(input), fieldLabel)).toBe(form);
    expect(describeInput(refused(input))).not.toMatch(/Too (small|big)|Invalid|expected/);
  });

  test("a field and its problem apart; under a larger input", () => {
    expect(inputProblem(refused({ name: "a", validTo: "2026-02-30" }))).toEqual({ field: "validTo", problem: "2026-02-30 is not a date" });
    expect(inputProblem(refused({ name: "" }), "credentials")).toEqual({ field: "credentials.name", problem: "fill this in" });
  });

  test("a form's own labels first, then the field in words", () => {
    const label = labelled({ bearer_token: "Token or header value", "auth_header.value": "Header value" });
    expect(label("bearer_token")).toBe("Token or header value");
    expect(label("auth_header.value")).toBe("Header value");
    expect(label("validFrom")).toBe("Valid from");
    expect(label("batch_size")).toBe("Batch size");
    expect(notADate("x".repeat(100))).toBe(`${"x".repeat(40)}… is not a date (YYYY-MM-DD)`);
  });
});
