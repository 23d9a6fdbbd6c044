// One configuration file parsed with positions: the `yaml` document, a line counter for
// 1-based line and column numbers, and conversion of nodes to plain data. Zuul's
// `!encrypted/pkcs1-oaep` tag is accepted on scalars and on lists of chunks; its value becomes
// `{"!encrypted/pkcs1-oaep": [chunk, ...]}` so secrets stay opaque and structured-clone safe.
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node,
} from "yaml";

export const ENCRYPTED_TAG = "!encrypted/pkcs1-oaep";

/** A problem the YAML parser found, with its 1-based position. */
export interface YamlProblem {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export interface YamlFile {
  readonly document: Document.Parsed;
  readonly lines: LineCounter;
  readonly problems: readonly YamlProblem[];
}

/** Parses YAML text and returns syntax errors and unknown tags as problems. */
export function parseYamlFile(text: string): YamlFile {
  const lines = new LineCounter();
  const document = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
  });
  // Aliases are replaced by the nodes they name, so readers never meet one. Positions of the
  // replaced nodes are those of the anchored original.
  if (/(^|[\s,[{:])\*[^\s,\]}]/m.test(text)) {
    visit(document, {
      Alias(_key, alias) {
        const target = alias.resolve(document);
        return target ?? undefined;
      },
    });
  }
  const problems: YamlProblem[] = [];
  for (const error of document.errors) {
    const at = lines.linePos(error.pos[0]);
    problems.push({ line: at.line, column: at.col, message: firstLine(error.message) });
  }
  for (const warning of document.warnings) {
    if (warning.message.includes(ENCRYPTED_TAG)) continue;
    const at = lines.linePos(warning.pos[0]);
    problems.push({ line: at.line, column: at.col, message: firstLine(warning.message) });
  }
  problems.push(...misplacedEncryptedTags(document, lines));
  return { document, lines, problems };
}

/**
 * Finds `!encrypted/pkcs1-oaep` tags on anything but a string or a list of strings. The parser
 * only warns about the unknown tag and keeps the value, so such a secret would load as plain data.
 */
function misplacedEncryptedTags(document: Document.Parsed, lines: LineCounter): YamlProblem[] {
  const problems: YamlProblem[] = [];
  const report = (node: Node, description: string): void => {
    const at = lines.linePos(node.range?.[0] ?? 0);
    problems.push({
      line: at.line,
      column: at.col,
      message:
        `${ENCRYPTED_TAG} is on ${description}; it must tag one string or a list of strings, ` +
        `the base64 chunks that zuul-client encrypt prints`,
    });
  };
  visit(document, {
    Map(_key, node) {
      if (node.tag === ENCRYPTED_TAG) report(node, "a mapping");
    },
    Seq(_key, node) {
      if (node.tag !== ENCRYPTED_TAG) return;
      const bad = node.items.find((item) => !isScalar(item) || typeof item.value !== "string");
      if (bad !== undefined)
        report((bad as Node | null) ?? node, "a list with an entry that is not a string");
    },
  });
  return problems;
}

function firstLine(message: string): string {
  return message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? message;
}

/** 1-based line and column of a node's first character. */
export function positionOf(file: YamlFile, node: Node | null | undefined): [number, number] {
  const offset = node?.range?.[0];
  if (offset === undefined) return [1, 1];
  const at = file.lines.linePos(offset);
  return [at.line, at.col];
}

/** Converts a node to plain data, resolving aliases and keeping encrypted values opaque. */
export function toPlain(file: YamlFile, node: unknown): unknown {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return toPlain(file, node.resolve(file.document));
  if (isScalar(node)) {
    if (node.tag === ENCRYPTED_TAG) return { [ENCRYPTED_TAG]: [String(node.value)] };
    return node.value;
  }
  if (isSeq(node)) {
    const items = node.items.map((item) => toPlain(file, item));
    if (node.tag === ENCRYPTED_TAG) return { [ENCRYPTED_TAG]: items.map(String) };
    return items;
  }
  if (isMap(node)) {
    const result: Record<string, unknown> = {};
    for (const pair of node.items) {
      const key = toPlain(file, pair.key);
      result[String(key)] = toPlain(file, pair.value);
    }
    return result;
  }
  return null;
}
