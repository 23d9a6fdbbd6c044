// Typed reading of YAML mappings with errors at the exact position, the building block of every
// object parser. Each problem becomes a ConfigError and the attribute reads as undefined, so one
// file reports all of its mistakes at once.
import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from "yaml";

import type { ConfigError, SourceContext } from "../../messages/layout.js";
import { configError, configWarning, type ErrorSite } from "./errors.js";
import { needsBacktracking, patternError } from "./regex.js";
import { positionOf, toPlain, type YamlFile } from "./yaml-file.js";

/** The origin of a file: every field of a SourceContext except the position. */
export interface FileOrigin {
  readonly connection: string;
  readonly project: string;
  readonly branch: string;
  readonly file: string;
  readonly trusted: boolean;
}

/** Reads one file and collects its errors. */
export class FileReader {
  constructor(
    readonly yaml: YamlFile,
    readonly origin: FileOrigin,
    readonly errors: ConfigError[],
  ) {}

  site(node: Node | null | undefined, object: string): ErrorSite {
    const [line, column] = positionOf(this.yaml, node);
    return {
      project: this.origin.project,
      branch: this.origin.branch,
      file: this.origin.file,
      line,
      column,
      object,
    };
  }

  source(node: Node | null | undefined): SourceContext {
    const [line, column] = positionOf(this.yaml, node);
    return { ...this.origin, line, column };
  }

  error(
    node: Node | null | undefined,
    object: string,
    attribute: string,
    message: string,
    example?: string,
  ): void {
    this.errors.push(configError(this.site(node, object), attribute, message, example));
  }

  warn(node: Node | null | undefined, object: string, attribute: string, message: string): void {
    this.errors.push(configWarning(this.site(node, object), attribute, message));
  }

  plain(node: Node | null | undefined): unknown {
    return toPlain(this.yaml, node);
  }

  /** Opens a mapping node as an object, checking its keys against `allowed`. */
  object(
    node: Node | null | undefined,
    object: string,
    attribute: string,
    allowed: readonly string[],
    example?: string,
  ): ObjectReader | null {
    if (!isMap(node)) {
      this.error(node, object, attribute, `expected a mapping, got ${describe(node)}`, example);
      return null;
    }
    return new ObjectReader(this, node, object, attribute, allowed);
  }
}

/** Describes a node's type briefly, for "expected X, got Y" messages. */
export function describe(node: unknown): string {
  if (node === null || node === undefined) return "nothing";
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    const value = node.value;
    if (value === null) return "null";
    if (typeof value === "string") return `the string "${truncate(value)}"`;
    return typeof value === "number" || typeof value === "boolean"
      ? `${typeof value} ${String(value)}`
      : "a scalar";
  }
  return "an alias";
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const saved = row[j] ?? 0;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, previous + cost);
      previous = saved;
    }
  }
  return row[b.length] ?? 0;
}

/** Returns the allowed name closest to `name` when it is close enough to be a likely typo. */
export function closest(name: string, allowed: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : null;
}

interface Entry {
  readonly key: Node;
  readonly value: Node | null;
}

/** One mapping opened as an object: typed accessors that report errors at the value's position. */
export class ObjectReader {
  readonly entries = new Map<string, Entry>();

  constructor(
    readonly reader: FileReader,
    readonly node: YAMLMap,
    readonly object: string,
    readonly prefix: string,
    allowed: readonly string[],
  ) {
    for (const pair of node.items as Pair<Node, Node | null>[]) {
      const keyNode = pair.key;
      const key = isScalar(keyNode) ? String(keyNode.value) : null;
      if (key === null) {
        reader.error(keyNode, object, prefix, "keys must be plain strings");
        continue;
      }
      if (allowed.length > 0 && !allowed.includes(key)) {
        const guess = closest(key, allowed);
        reader.error(
          keyNode,
          object,
          this.path(key),
          `unknown attribute "${key}"` +
            (guess === null ? "" : `; did you mean "${guess}"?`) +
            ` Expected one of: ${allowed.join(", ")}`,
        );
        continue;
      }
      this.entries.set(key, { key: keyNode, value: pair.value ?? null });
    }
  }

  path(key: string): string {
    return this.prefix === "" ? key : `${this.prefix}.${key}`;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Returns the value node of `key`, or undefined when the key is absent. */
  value(key: string): Node | null | undefined {
    return this.entries.get(key)?.value;
  }

  keyNode(key: string): Node | undefined {
    return this.entries.get(key)?.key;
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  error(key: string, message: string, example?: string): void {
    const entry = this.entries.get(key);
    this.reader.error(
      entry?.value ?? entry?.key ?? this.node,
      this.object,
      this.path(key),
      message,
      example,
    );
  }

  /** Reports a missing required attribute at the object's position. */
  require(key: string, example?: string): boolean {
    if (this.has(key)) return true;
    this.reader.error(
      this.node,
      this.object,
      this.path(key),
      `missing required attribute "${key}"`,
      example,
    );
    return false;
  }

  private scalar(key: string): { present: boolean; value: unknown; node: Node | null } {
    const entry = this.entries.get(key);
    if (entry === undefined) return { present: false, value: undefined, node: null };
    const node = entry.value;
    if (node !== null && isScalar(node)) return { present: true, value: node.value, node };
    return { present: true, value: node === null ? null : undefined, node };
  }

  string(key: string, options: { nullable?: boolean } = {}): string | null | undefined {
    const { present, value, node } = this.scalar(key);
    if (!present) return undefined;
    if (value === null && options.nullable === true) return null;
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    this.error(key, `expected a string, got ${describe(node)}`);
    return undefined;
  }

  boolean(key: string): boolean | undefined {
    const { present, value, node } = this.scalar(key);
    if (!present) return undefined;
    if (typeof value === "boolean") return value;
    if (typeof value === "string" && /^(true|false|yes|no)$/i.test(value)) {
      return /^(true|yes)$/i.test(value);
    }
    this.error(key, `expected true or false, got ${describe(node)}`);
    return undefined;
  }

  integer(
    key: string,
    options: { min?: number; nullable?: boolean } = {},
  ): number | null | undefined {
    const { present, value, node } = this.scalar(key);
    if (!present) return undefined;
    if (value === null && options.nullable === true) return null;
    const number = typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : value;
    if (typeof number !== "number" || !Number.isInteger(number)) {
      this.error(key, `expected an integer, got ${describe(node)}`);
      return undefined;
    }
    if (options.min !== undefined && number < options.min) {
      this.error(key, `expected an integer of at least ${options.min}, got ${number}`);
      return undefined;
    }
    return number;
  }

  number(key: string): number | undefined {
    const { present, value, node } = this.scalar(key);
    if (!present) return undefined;
    if (typeof value === "number") return value;
    this.error(key, `expected a number, got ${describe(node)}`);
    return undefined;
  }

  oneOf<T extends string>(key: string, choices: readonly T[]): T | undefined {
    const text = this.string(key);
    if (text === undefined || text === null) return undefined;
    if ((choices as readonly string[]).includes(text)) return text as T;
    const guess = closest(text, choices);
    this.error(
      key,
      `invalid value "${text}"` +
        (guess === null ? "" : `; did you mean "${guess}"?`) +
        ` Expected one of: ${choices.join(", ")}`,
    );
    return undefined;
  }

  /** Reads a string or a list of strings, as Zuul accepts for most list attributes. */
  stringList(key: string): string[] | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    return readStringList(this.reader, entry.value, this.object, this.path(key));
  }

  /** Reads a string or list of regular expressions, each of which must compile. */
  patterns(key: string): string[] | undefined {
    const list = this.stringList(key);
    if (list === undefined) return undefined;
    const entry = this.entries.get(key);
    const nodes = isSeq(entry?.value) ? entry.value.items : [entry?.value];
    const valid: string[] = [];
    list.forEach((pattern, index) => {
      const problem = patternError(pattern);
      const node = (nodes[index] as Node | null | undefined) ?? entry?.value;
      if (problem === null) {
        valid.push(pattern);
        if (needsBacktracking(pattern)) {
          this.reader.warn(
            node,
            this.object,
            this.path(key),
            `regular expression "${pattern}" is not RE2 syntax, so it runs on a backtracking ` +
              `engine; Zuul deprecates such patterns, so rewrite it without lookaround or backreferences`,
          );
        }
        return;
      }
      this.reader.error(
        node,
        this.object,
        this.path(key),
        `invalid regular expression "${pattern}": ${problem}`,
      );
    });
    return valid;
  }

  /** Reads a mapping of arbitrary data, such as `vars`. */
  mapping(key: string): Record<string, unknown> | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.value === null) return {};
    if (!isMap(entry.value)) {
      this.error(key, `expected a mapping, got ${describe(entry.value)}`);
      return undefined;
    }
    return this.reader.plain(entry.value) as Record<string, unknown>;
  }

  /** Opens a nested mapping as an object. */
  child(key: string, allowed: readonly string[], example?: string): ObjectReader | null {
    const entry = this.entries.get(key);
    if (entry === undefined) return null;
    return this.reader.object(entry.value, this.object, this.path(key), allowed, example);
  }
}

/** Reads a string or a list of strings at `node`. */
export function readStringList(
  reader: FileReader,
  node: Node | null,
  object: string,
  attribute: string,
): string[] | undefined {
  if (node === null) return [];
  if (isScalar(node)) {
    if (typeof node.value === "string") return [node.value];
    if (typeof node.value === "number") return [String(node.value)];
  }
  if (isSeq(node)) {
    const result: string[] = [];
    let valid = true;
    for (const item of node.items as (Node | null)[]) {
      if (isScalar(item) && (typeof item.value === "string" || typeof item.value === "number")) {
        result.push(String(item.value));
      } else {
        reader.error(item, object, attribute, `expected a string, got ${describe(item)}`);
        valid = false;
      }
    }
    return valid ? result : undefined;
  }
  reader.error(
    node,
    object,
    attribute,
    `expected a string or a list of strings, got ${describe(node)}`,
  );
  return undefined;
}

/** Returns the items of a list node, or the node itself as a one-item list. */
export function listItems(node: Node | null | undefined): (Node | null)[] {
  if (node === null || node === undefined) return [];
  if (isSeq(node)) return node.items as (Node | null)[];
  return [node];
}
