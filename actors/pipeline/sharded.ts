// Records split into shards by a hash of the key. Immer copies an object's whole key set when one
// entry changes, so one flat record of 1,600 items would be copied on every message. With shards,
// a change copies the shard table and one small shard.
import type { Draft } from "immer";

/** A record of records: shard name, then key. */
export type Sharded<T> = Record<string, Record<string, T>>;

const SHARDS = 64;

/** Shards of recent keys; V8 caches a string's hash, so this lookup is cheaper than hashing. */
const shardCache = new Map<string, string>();
const SHARD_CACHE_LIMIT = 100_000;

/** Returns the shard of a key: FNV-1a of its characters, modulo the shard count. */
export function shardOf(key: string): string {
  const cached = shardCache.get(key);
  if (cached !== undefined) return cached;
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index++) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  const shard = ((hash >>> 0) % SHARDS).toString(36);
  if (shardCache.size >= SHARD_CACHE_LIMIT) shardCache.clear();
  shardCache.set(key, shard);
  return shard;
}

export function getEntry<T>(map: Readonly<Sharded<T>>, key: string): T | undefined {
  return map[shardOf(key)]?.[key];
}

export function setEntry<T>(map: Draft<Sharded<T>>, key: string, value: T): void {
  const shard = shardOf(key);
  const entries = map[shard];
  if (entries === undefined) map[shard] = newShard(key, value) as Draft<Record<string, T>>;
  else (entries as Record<string, unknown>)[key] = value;
}

/**
 * Creates a shard: an object without a prototype. Its keys are item ids and change keys, each
 * used by one item. V8 gives a plain object a hidden class for every set of keys it has had, so a
 * long queue would leave thousands of them behind. Immer copies an object without a prototype
 * with Object.assign, which V8 stores as a hash table, with no hidden class per key.
 */
function newShard<T>(key: string, value: T): Record<string, T> {
  const shard = Object.create(null) as Record<string, T>;
  shard[key] = value;
  return shard;
}

export function deleteEntry<T>(map: Draft<Sharded<T>>, key: string): void {
  const shard = shardOf(key);
  const entries = map[shard];
  if (entries === undefined || !(key in entries)) return;
  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
  delete entries[key];
  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
  if (Object.keys(entries).length === 0) delete map[shard];
}

export function entryValues<T>(map: Readonly<Sharded<T>>): T[] {
  return Object.values(map).flatMap((entries) => Object.values(entries));
}

export function entryKeys<T>(map: Readonly<Sharded<T>>): string[] {
  return Object.values(map).flatMap((entries) => Object.keys(entries));
}
