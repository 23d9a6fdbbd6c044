// Ref reads and updates: atomic transactions through a long-lived `git update-ref --stdin`, and
// single compare-and-swap updates and listings through one-off commands.
import { LongLivedGit } from "./long-lived.js";
import { ZERO_OID, refFormatProblem } from "./names.js";
import { GitError, runGit } from "./process.js";

/** One change of one ref inside a transaction. */
export type RefChange =
  | {
      readonly op: "update";
      readonly ref: string;
      readonly newOid: string;
      readonly oldOid?: string;
    }
  | { readonly op: "delete"; readonly ref: string; readonly oldOid?: string };

/** Applies ref transactions in one repository; each transaction is all or nothing. */
export class RefTransactions {
  private readonly git: LongLivedGit;

  constructor(readonly gitDir: string) {
    this.git = new LongLivedGit(gitDir, ["update-ref", "--stdin"]);
  }

  /**
   * Applies every change atomically. Rejects with a GitError naming the ref when one of them cannot
   * be applied (a compare-and-swap mismatch, a missing object), and then applies none.
   */
  apply(changes: readonly RefChange[]): Promise<void> {
    if (changes.length === 0) return Promise.resolve();
    const lines = ["start"];
    for (const change of changes) {
      const problem = refFormatProblem(change.ref);
      if (problem !== null) {
        return Promise.reject(new RangeError(`ref "${change.ref}" is invalid: ${problem}`));
      }
      const old = change.oldOid === undefined ? "" : ` ${change.oldOid}`;
      lines.push(
        change.op === "update"
          ? `update ${change.ref} ${change.newOid}${old}`
          : `delete ${change.ref}${old}`,
      );
    }
    lines.push("prepare", "commit", "");
    return this.git.request(lines.join("\n"), (buffer) => {
      const marker = buffer.indexOf("commit: ok\n");
      if (marker < 0) return null;
      return { value: undefined, used: marker + "commit: ok\n".length };
    });
  }

  /** Stops the update-ref process. */
  close(): void {
    this.git.close();
  }
}

/**
 * Moves `ref` from `oldOid` to `newOid` only if it still points at `oldOid` (ZERO_OID: only if it
 * does not exist). Resolves false when the ref has moved, and rejects for any other failure.
 */
export async function compareAndSwapRef(
  gitDir: string,
  ref: string,
  newOid: string,
  oldOid: string,
  reason: string,
): Promise<boolean> {
  const before = await resolveRef(gitDir, ref);
  if ((before ?? ZERO_OID) !== oldOid) return false;
  try {
    await runGit(gitDir, ["update-ref", "-m", reason, ref, newOid, oldOid]);
    return true;
  } catch (err) {
    // A concurrent writer can still win between the read above and the update.
    if (err instanceof GitError && (await resolveRef(gitDir, ref)) !== oldOid) return false;
    throw err;
  }
}

/** Resolves the commit a ref points at, or null when the ref does not exist. */
export async function resolveRef(gitDir: string, ref: string): Promise<string | null> {
  const output = await runGit(gitDir, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], {
    okExitCodes: [0, 1],
  });
  if (output.exitCode !== 0) return null;
  return output.stdout.toString("utf8").trim();
}

/** Lists refs under the given prefixes as a map from ref name to object id. */
export async function listRefs(
  gitDir: string,
  prefixes: readonly string[],
): Promise<Map<string, string>> {
  const output = await runGit(gitDir, [
    "for-each-ref",
    "--format=%(objectname) %(refname)",
    ...prefixes,
  ]);
  const refs = new Map<string, string>();
  for (const line of output.stdout.toString("utf8").split("\n")) {
    if (line === "") continue;
    const space = line.indexOf(" ");
    refs.set(line.slice(space + 1), line.slice(0, space));
  }
  return refs;
}
