/** A site's namespace in Redis: the default derived from the store, and the setting that overrides it. */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { UsageError } from "../../src/cli/args.ts";
import { defaultRedisPrefix, redisNames } from "../../src/cluster/namespace.ts";
import { loadServeConfig } from "../../src/config/load.ts";

describe("defaultRedisPrefix", () => {
  test.each([
    [{ database: "tm20", schema: "tm20" }, "tm20:tm20/tm20"],
    [{ database: "test", schema: "site_b" }, "tm20:test/site_b"],
    [{ database: "a/b", schema: "c" }, "tm20:a%2Fb/c"],
    [{ database: "a", schema: "b/c" }, "tm20:a/b%2Fc"],
    [{ database: "x:y", schema: "z" }, "tm20:x%3Ay/z"],
  ])("%o → %s", (store, prefix) => {
    expect(defaultRedisPrefix(store)).toBe(prefix);
  });

  test("two different stores never share a prefix, a key or a channel", () => {
    const store = fc.record({ database: fc.string({ minLength: 1 }), schema: fc.string({ minLength: 1 }) });
    fc.assert(
      fc.property(store, store, fc.string({ minLength: 1 }), (a, b, sn) => {
        fc.pre(a.database !== b.database || a.schema !== b.schema);
        const [na, nb] = [redisNames(defaultRedisPrefix(a)), redisNames(defaultRedisPrefix(b))];
        expect(na.events).not.toBe(nb.events);
        expect(na.presence(sn)).not.toBe(nb.presence(sn));
      }),
    );
  });
});

describe("--redis-prefix", () => {
  const load = (flags: Record<string, string>, env: Record<string, string> = {}) => loadServeConfig(new Map(Object.entries(flags)), env);

  test("empty by default (derived from the store at start), else the flag over TM20_REDIS_PREFIX", () => {
    expect(load({}).redisPrefix).toBe("");
    expect(load({}, { TM20_REDIS_PREFIX: "site-a" }).redisPrefix).toBe("site-a");
    expect(load({ "--redis-prefix": "site-b" }, { TM20_REDIS_PREFIX: "site-a" }).redisPrefix).toBe("site-b");
  });

  test.each([["has space"], ["x".repeat(101)], ["tab\there"], ["é"]])("%j is refused with a clear error", (value) => {
    expect(() => load({ "--redis-prefix": value })).toThrow(UsageError);
    expect(() => load({ "--redis-prefix": value })).toThrow(/^--redis-prefix: .* is invalid \(at most 100 printable ASCII characters, no spaces\)$/);
  });
});
