/**
 * `Store.importSources`, a case of the shared store contract (contract-cases.ts). node:assert
 * only, as the contract also runs under Node.
 */
import assert from "node:assert/strict";
import type { Store } from "../../src/store/contract.ts";
import type { ImportSourceSettings } from "../../src/store/import-source-contract.ts";

export async function checkImportSources(store: Pick<Store, "importSources">, t0: number): Promise<void> {
  const s = store.importSources;
  assert.deepEqual(await s.list(), []);
  const settings: ImportSourceSettings = {
    name: "HR",
    url: "https://hr.example/api/people",
    authHeader: "Authorization",
    authSealed: "v1:sealed",
    mapping: '{"items":"data","fields":{"external_id":"emp.no"}}',
    paging: '{"type":"none"}',
    disableMissing: false,
  };
  const a = await s.create(settings, t0);
  assert.deepEqual(a, { id: a.id, ...settings, lastRunAt: null, lastResult: null, createdAt: t0, updatedAt: t0 });
  const b = await s.create({ ...settings, name: "Payroll", authHeader: null, authSealed: null }, t0 + 1);
  assert.deepEqual((await s.list()).map((r) => r.name), ["HR", "Payroll"]);
  assert.deepEqual(await s.get(a.id), a);
  assert.equal(await s.get(b.id + 100), null);

  const changed = await s.update(a.id, { url: "https://hr.example/v2", disableMissing: true, authHeader: null, authSealed: null }, t0 + 5);
  assert.deepEqual(changed, { ...a, url: "https://hr.example/v2", disableMissing: true, authHeader: null, authSealed: null, updatedAt: t0 + 5 });
  assert.equal(await s.update(b.id + 100, { name: "x" }, t0), null);

  await s.recordRun(a.id, "2 created, 1 updated, 0 disabled, 1 error", t0 + 9);
  const ran = await s.get(a.id);
  assert.deepEqual([ran?.lastRunAt, ran?.lastResult, ran?.updatedAt], [t0 + 9, "2 created, 1 updated, 0 disabled, 1 error", t0 + 5]);

  assert.equal(await s.delete(a.id), true);
  assert.equal(await s.delete(a.id), false);
  assert.deepEqual((await s.list()).map((r) => r.id), [b.id]);
}
