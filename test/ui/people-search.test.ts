/**
 * The people search with accents and case ignored (issue 17: "jurgen" must find "Jürgen"), in
 * process on SQLite: the People page, its CSV export and `GET /api/v1/people?q=` find a person by
 * part of the name or external id typed without accents, page the matches with a cursor, and still
 * take an enroll id.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { buildApp, type InProcessApp } from "../helpers/app.ts";

let app: InProcessApp;
beforeAll(async () => {
  app = await buildApp();
  const people: Array<[number, string, string | null]> = [
    [1, "Jürgen Müller", "HR-1"],
    [2, "Zoë Lee", "HR-2"],
    [3, "Bob Stone", "ÉQ-3"],
    [4, "Ana Ñúñez", null],
    [5, "Carl Adams", null],
    [6, "Ána Silva", null],
    [7, "Dan Brown", null],
    [8, "ANA ROSA", null],
    [9, "Liliana Ek", null],
  ];
  for (const [enrollid, name, externalId] of people) {
    expect((await app.api("POST", "/people", { enrollid, name, ...(externalId ? { externalId } : {}) })).status).toBe(201);
  }
});
afterAll(() => app.stop());

const pageIds = async (q: string) => [...(await (await app.page(`/people?q=${encodeURIComponent(q)}`)).text()).matchAll(/<tr data-enrollid="(\d+)"/g)].map((m) => Number(m[1]));
const apiPage = async (query: string) => (await (await app.api("GET", `/people?${query}`)).json()) as { items: Array<{ enrollid: number }>; next: string | null };

test("the People page finds a name or external id typed without accents, in any case", async () => {
  expect(await pageIds("jurgen")).toEqual([1]);
  expect(await pageIds("MULLER")).toEqual([1]);
  expect(await pageIds("zoe")).toEqual([2]);
  expect(await pageIds("eq-3")).toEqual([3]);
  expect(await pageIds("nunez")).toEqual([4]);
  expect(await pageIds("Jürgen")).toEqual([1]);
  expect(await pageIds("nobody")).toEqual([]);
  // An enroll id, and digits in an external id, as before.
  expect(await pageIds("7")).toEqual([7]);
  expect(await pageIds("2")).toEqual([2]);
});

test("the API pages the matches with a cursor; the CSV export takes the same search", async () => {
  const first = await apiPage("q=ana&limit=2");
  expect(first.items.map((p) => p.enrollid)).toEqual([4, 6]);
  const second = await apiPage(`q=ana&limit=2&cursor=${first.next}`);
  expect(second.items.map((p) => p.enrollid)).toEqual([8, 9]);
  expect(second.next).toBeNull();
  const csv = (await (await app.page("/people.csv?q=jurgen")).text()).split("\r\n").filter((l) => l !== "");
  expect(csv.slice(1)).toEqual(["1,Jürgen Müller,HR-1,,,true,"]);
});
