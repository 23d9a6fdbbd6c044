// Detecting branch and tag moves made outside gatehouse, such as a push to a bare repository, by
// comparing `git for-each-ref` with the heads the store saw last.
import { ZERO_OID } from "../../../runtime/git/names.js";
import { runGit } from "../../../runtime/git/process.js";
import { listRefs } from "../../../runtime/git/refs.js";
import type { ConnectionContext } from "./context.js";
import { filesBetween } from "./repositories.js";

/** Commits walked at most when a new branch appears, to find the open changes it merged. */
const NEW_BRANCH_WALK_LIMIT = 10_000;

/** Compares repositories with recorded heads and emits events for the differences. */
export class RefWatcher {
  constructor(private readonly context: ConnectionContext) {}

  /** Checks every repository once. */
  async sync(): Promise<void> {
    for (const project of this.context.repositories.projects()) {
      try {
        await this.syncProject(project);
      } catch (err) {
        // One broken repository must not hide moves in the others.
        this.context.log.warn({ err, project }, "repository heads not read");
      }
    }
  }

  /** Checks one repository and emits events for the moves since the last check. */
  async syncProject(project: string): Promise<void> {
    const { rows } = this.context;
    const gitDir = this.context.repositories.path(project);
    const current = await listRefs(gitDir, ["refs/heads/", "refs/tags/"]);
    if (!rows.knowsProject(project)) {
      rows.transaction(() => {
        for (const [ref, commit] of current) rows.setRef(project, ref, commit);
      });
      return;
    }
    const known = rows.refs(project);
    const names = [...new Set([...known.keys(), ...current.keys()])].sort();
    for (const ref of names) {
      const oldrev = known.get(ref) ?? ZERO_OID;
      const newrev = current.get(ref) ?? ZERO_OID;
      if (oldrev === newrev) continue;
      await this.onRefMoved(project, gitDir, ref, oldrev, newrev);
    }
  }

  private async onRefMoved(
    project: string,
    gitDir: string,
    ref: string,
    oldrev: string,
    newrev: string,
  ): Promise<void> {
    const { rows, clock, connection } = this.context;
    const now = clock();
    const merged: { number: number; patchset: number }[] = [];
    if (ref.startsWith("refs/heads/") && newrev !== ZERO_OID) {
      const branch = ref.slice("refs/heads/".length);
      const open = rows.openChanges(project, branch);
      if (open.length > 0) {
        const added = await this.commitsBetween(gitDir, oldrev, newrev);
        for (const change of open) {
          const patchsets = rows.patchsets(change.number);
          const current = patchsets[patchsets.length - 1];
          if (current !== undefined && added.has(current.commit)) {
            merged.push({ number: change.number, patchset: current.patchset });
          }
        }
      }
    }
    rows.transaction(() => {
      for (const change of merged) {
        rows.setStatus(change.number, "MERGED", now);
        rows.addMessage(
          change.number,
          change.patchset,
          "gatehouse",
          "Merged outside gatehouse",
          now,
        );
      }
      rows.setRef(project, ref, newrev === ZERO_OID ? null : newrev);
    });
    this.context.log.info(
      { project, ref, oldrev, newrev, merged: merged.length },
      "ref moved outside gatehouse",
    );
    const files = await filesBetween(gitDir, oldrev, newrev);
    for (const change of merged) {
      this.context.emit({
        type: "change-merged",
        connection,
        account: null,
        eventTime: now,
        ...change,
      });
    }
    this.context.emit({
      type: "ref-updated",
      connection,
      account: null,
      eventTime: now,
      project,
      ref,
      oldrev,
      newrev,
      ...(files === undefined ? {} : { files }),
    });
  }

  private async commitsBetween(
    gitDir: string,
    oldrev: string,
    newrev: string,
  ): Promise<Set<string>> {
    const args =
      oldrev === ZERO_OID
        ? ["rev-list", `--max-count=${String(NEW_BRANCH_WALK_LIMIT)}`, newrev, "--"]
        : ["rev-list", newrev, `^${oldrev}`, "--"];
    const output = await runGit(gitDir, args, { okExitCodes: [0, 128] });
    // An old revision that no longer exists (a forced push after gc) lists nothing.
    if (output.exitCode !== 0) return new Set();
    return new Set(
      output.stdout
        .toString("utf8")
        .split("\n")
        .filter((line) => line !== ""),
    );
  }
}
