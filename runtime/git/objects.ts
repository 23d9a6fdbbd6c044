// Reading git objects through one long-lived `git cat-file --batch`, and parsing commits and
// trees from their raw bytes.
import { LongLivedGit, indexOfNewline } from "./long-lived.js";
import { type GitIdentity, parseIdentity } from "./identity.js";

/** Object types of git. */
export type ObjectType = "blob" | "tree" | "commit" | "tag";

/** One object as cat-file returns it. */
export interface GitObject {
  readonly oid: string;
  readonly type: ObjectType;
  readonly data: Buffer;
}

/** A parsed commit object. */
export interface CommitObject {
  readonly oid: string;
  readonly tree: string;
  readonly parents: readonly string[];
  readonly author: GitIdentity;
  readonly committer: GitIdentity;
  /** The message as stored, usually ending with a newline. */
  readonly message: string;
}

/** One entry of a tree object. */
export interface TreeEntry {
  /** Octal mode as git writes it: `100644`, `100755`, `120000`, `40000` or `160000`. */
  readonly mode: string;
  readonly name: string;
  readonly oid: string;
}

/** A name that cat-file reports missing or of an unexpected type. */
export class ObjectNotFoundError extends Error {
  override readonly name = "ObjectNotFoundError";

  constructor(
    message: string,
    readonly object: string,
  ) {
    super(message);
  }
}

/** Reads objects of one repository through a long-lived `git cat-file --batch`. */
export class ObjectReader {
  private readonly git: LongLivedGit;

  constructor(readonly gitDir: string) {
    this.git = new LongLivedGit(gitDir, ["cat-file", "--batch"]);
  }

  /** Reads an object by id or revision expression; resolves null when it does not exist. */
  read(name: string): Promise<GitObject | null> {
    if (name.includes("\n") || name.trim() !== name || name === "") {
      return Promise.reject(new RangeError(`object name ${JSON.stringify(name)} is invalid`));
    }
    return this.git.request(`${name}\n`, parseBatchAnswer);
  }

  /** Reads and parses a commit; rejects with ObjectNotFoundError when it is not a commit. */
  async readCommit(name: string): Promise<CommitObject> {
    const object = await this.read(name);
    if (object?.type !== "commit") {
      throw new ObjectNotFoundError(
        object === null
          ? `commit ${name} not found in ${this.gitDir}`
          : `object ${name} in ${this.gitDir} is a ${object.type}, not a commit`,
        name,
      );
    }
    return parseCommit(object.oid, object.data);
  }

  /** Reads and parses a tree; rejects with ObjectNotFoundError when it is not a tree. */
  async readTree(oid: string): Promise<TreeEntry[]> {
    const object = await this.read(oid);
    if (object?.type !== "tree") {
      throw new ObjectNotFoundError(`tree ${oid} not found in ${this.gitDir}`, oid);
    }
    return parseTree(object.data);
  }

  /** Stops the cat-file process. */
  close(): void {
    this.git.close();
  }
}

function parseBatchAnswer(buffer: Buffer): { value: GitObject | null; used: number } | null {
  const end = indexOfNewline(buffer);
  if (end < 0) return null;
  const header = buffer.subarray(0, end).toString("utf8");
  if (header.endsWith(" missing") || header.endsWith(" ambiguous")) {
    return { value: null, used: end + 1 };
  }
  const [oid, type, sizeText] = header.split(" ");
  const size = Number(sizeText);
  if (oid === undefined || type === undefined || !Number.isInteger(size)) {
    throw new Error(`unexpected cat-file header "${header}"`);
  }
  // The content is followed by one newline.
  if (buffer.length < end + 1 + size + 1) return null;
  const data = Buffer.from(buffer.subarray(end + 1, end + 1 + size));
  return { value: { oid, type: type as ObjectType, data }, used: end + 1 + size + 1 };
}

/** Parses the raw bytes of a commit object. */
export function parseCommit(oid: string, data: Buffer): CommitObject {
  const text = data.toString("utf8");
  const split = text.indexOf("\n\n");
  const headerText = split < 0 ? text : text.slice(0, split);
  const message = split < 0 ? "" : text.slice(split + 2);
  let tree: string | null = null;
  let author: GitIdentity | null = null;
  let committer: GitIdentity | null = null;
  const parents: string[] = [];
  for (const line of headerText.split("\n")) {
    const space = line.indexOf(" ");
    const key = line.slice(0, space);
    const value = line.slice(space + 1);
    if (key === "tree") tree = value;
    else if (key === "parent") parents.push(value);
    else if (key === "author") author = parseIdentity(value);
    else if (key === "committer") committer = parseIdentity(value);
  }
  if (tree === null || author === null || committer === null) {
    throw new Error(`commit ${oid} is malformed: it lacks a tree, author or committer header`);
  }
  return { oid, tree, parents, author, committer, message };
}

/** Parses the raw bytes of a tree object: `MODE NAME\0` followed by a 20-byte binary id. */
export function parseTree(data: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    const nul = data.indexOf(0x00, space);
    if (space < 0 || nul < 0 || nul + 21 > data.length) {
      throw new Error("tree object is malformed: an entry is truncated");
    }
    const mode = data.subarray(offset, space).toString("latin1");
    const name = data.subarray(space + 1, nul).toString("utf8");
    const oid = data.subarray(nul + 1, nul + 21).toString("hex");
    entries.push({ mode, name, oid });
    offset = nul + 21;
  }
  return entries;
}

/** True when a tree entry's mode is a directory. */
export function isTreeMode(mode: string): boolean {
  return mode === "40000" || mode === "040000";
}
