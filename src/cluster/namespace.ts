/**
 * A site's namespace in Redis. Keys are per Redis database but pub/sub channels are not, so two
 * sites sharing one Redis stay apart only when every key and channel carries the site's prefix.
 * By default the prefix names the store itself (database and schema, as PostgreSQL reports
 * them), which every instance of one site shares and no other site has on the same server.
 */

/** `tm20:<database>/<schema>`, each part percent-encoded so that no two stores share a prefix. */
export function defaultRedisPrefix(store: { database: string; schema: string }): string {
  return `tm20:${encodeURIComponent(store.database)}/${encodeURIComponent(store.schema)}`;
}

/** The Redis names one site uses. */
export function redisNames(prefix: string) {
  return {
    events: `${prefix}:events`,
    presence: (sn: string) => `${prefix}:presence:${sn}`,
  };
}

export type RedisNames = ReturnType<typeof redisNames>;
