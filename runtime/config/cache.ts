// Parsed configuration files cached by project, branch, path, file contents and the options that
// change a parse, so reloading an unchanged tenant or building a speculative layout re-parses only
// the files that changed. Entries are deep-frozen and shared between layouts.
import { createHash } from "node:crypto";

import { parseConfigFile, type ConfigFileOptions } from "./config-file.js";
import type { FileOrigin } from "./fields.js";
import type { ParsedFile } from "./parsed.js";
import { deepFreeze } from "./freeze-data.js";

/** Upper bound on cached files; the least recently used entries go first. */
const DEFAULT_MAX_ENTRIES = 20000;

export class ParseCache {
  private readonly entries = new Map<string, ParsedFile>();
  hits = 0;
  misses = 0;

  constructor(private readonly maxEntries = DEFAULT_MAX_ENTRIES) {}

  /** Returns the parse of `text`, from the cache when the same file was parsed before. */
  parse(
    text: string,
    origin: FileOrigin,
    options: ConfigFileOptions,
    optionsKey: string,
  ): ParsedFile {
    const digest = createHash("sha1").update(text).digest("base64");
    const key = [
      origin.connection,
      origin.project,
      origin.branch,
      origin.file,
      origin.trusted ? "t" : "u",
      optionsKey,
      digest,
    ].join("\u0000");
    const cached = this.entries.get(key);
    if (cached !== undefined) {
      this.hits++;
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    this.misses++;
    const parsed = deepFreeze(parseConfigFile(text, origin, options));
    this.entries.set(key, parsed);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return parsed;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}

/** Returns a stable key of the parse options, which are the same for every file of a project. */
export function optionsKey(options: ConfigFileOptions): string {
  const drivers = Object.entries(options.drivers)
    .map(([name, driver]) => `${name}=${driver}`)
    .sort()
    .join(",");
  return `${drivers};${[...options.include].sort().join(",")};${String(options.impliedBranchMatchers)}`;
}
