// The local connection's reporter: review messages and votes, and submit, which moves the branch
// to the tested commit with a compare-and-swap so that what merges is exactly what was tested.
import type { ProjectState } from "../../../messages/build.js";
import type { ChangeRecord as Change } from "../../../messages/change.js";
import type { Report } from "../../../messages/effects.js";
import { ZERO_OID } from "../../../runtime/git/names.js";
import { runGit } from "../../../runtime/git/process.js";
import { compareAndSwapRef, resolveRef } from "../../../runtime/git/refs.js";
import type { ConnectionContext } from "./context.js";
import { accountOf } from "./records.js";
import { filesBetween, readCommitOnce } from "./repositories.js";

/** Outcome of one report, as ReportCompletedBody carries it. */
export interface ReportResult {
  /** For a submitting report, whether the change merged; null otherwise. */
  readonly merged: boolean | null;
  /** Reason the merge or the report failed, or null. */
  readonly error: string | null;
}

/** Reports results on this connection's changes. */
export class LocalReporter {
  constructor(
    private readonly context: ConnectionContext,
    private readonly user: string,
    private readonly testedRepository: ((project: string) => string) | undefined,
  ) {}

  /** Stores the report's message and votes, then submits the change when the report requests it. */
  async report(report: Report): Promise<ReportResult> {
    const subject = report.subject;
    if (subject.type !== "change" || subject.connection !== this.context.connection) {
      return { merged: null, error: null };
    }
    this.storeReview(report, subject);
    if (!report.submit) return { merged: null, error: null };
    return this.submit(subject, report.states);
  }

  private storeReview(report: Report, subject: Change): void {
    const { rows, records, clock, log } = this.context;
    const labels: [string, number][] = [];
    let comment = true;
    for (const reporter of report.reporters) {
      if (reporter.connection !== this.context.connection) continue;
      for (const [key, value] of Object.entries(reporter.config)) {
        if (key === "submit") continue;
        if (key === "comment") comment = value !== false;
        else if (typeof value === "number" && Number.isInteger(value)) labels.push([key, value]);
        else log.warn({ key, report: report.report }, "reporter setting ignored: not a label vote");
      }
    }
    const { change, current } = records.patchsetRow(subject.number);
    const now = clock();
    const votable = change.status === "NEW" && subject.patchset === current;
    rows.transaction(() => {
      if (votable) {
        for (const [label, value] of labels) {
          rows.setApproval(subject.number, subject.patchset, label, value, this.user, now);
        }
      }
      if (comment && report.message.trim() !== "") {
        rows.addMessage(subject.number, subject.patchset, this.user, report.message, now);
      }
    });
    if (!votable && labels.length > 0) {
      log.info(
        { change: `${String(subject.number)},${String(subject.patchset)}` },
        "votes skipped: patchset not current",
      );
    }
  }

  private async submit(subject: Change, states: readonly ProjectState[]): Promise<ReportResult> {
    const { rows, records, repositories, clock, connection, log } = this.context;
    const id = `${String(subject.number)},${String(subject.patchset)}`;
    const fail = (error: string): ReportResult => {
      log.info({ change: id, reason: error }, "change not merged");
      return { merged: false, error };
    };
    const { change, current } = records.patchsetRow(subject.number);
    if (change.status !== "NEW") return fail(`change ${String(change.number)} is ${change.status}`);
    if (subject.patchset !== current) {
      return fail(`patchset ${id} is outdated: the current patchset is ${String(current)}`);
    }
    const problems = records.submitProblems(subject.number, subject.patchset);
    if (problems.length > 0) return fail(`change ${id} is not submittable: ${problems.join(", ")}`);
    const state = states.find(
      (entry) =>
        entry.connection === connection &&
        entry.project === change.project &&
        entry.branch === change.branch,
    );
    if (state === undefined) {
      return fail(
        `the report carries no tested state of ${change.project} branch ${change.branch}`,
      );
    }

    const gitDir = repositories.existing(change.project);
    const present = await this.bringTestedCommit(gitDir, change.project, state);
    if (!present) {
      return fail(
        `tested commit ${state.commit} of change ${id} not found in ${gitDir} or the merger's repository`,
      );
    }
    const branchRef = `refs/heads/${change.branch}`;
    const moved = !(await compareAndSwapRef(
      gitDir,
      branchRef,
      state.commit,
      state.baseCommit,
      `gatehouse: merge change ${id}`,
    ));
    if (moved) {
      const tip = (await resolveRef(gitDir, branchRef)) ?? ZERO_OID;
      return fail(
        `branch ${change.branch} of ${change.project} moved to ${tip} after change ${id} was ` +
          `tested on ${state.baseCommit}; the change is not merged and must be tested again`,
      );
    }

    const files = await filesBetween(gitDir, state.baseCommit, state.commit);
    const now = clock();
    rows.transaction(() => {
      rows.setStatus(change.number, "MERGED", now);
      rows.setRef(change.project, branchRef, state.commit);
      rows.addMessage(
        change.number,
        subject.patchset,
        this.user,
        "Change has been successfully merged",
        now,
      );
    });
    log.info(
      { change: id, project: change.project, branch: change.branch, commit: state.commit },
      "change merged",
    );
    const account = accountOf(this.user, this.context.hostname);
    this.context.emit({
      type: "change-merged",
      connection,
      account,
      eventTime: now,
      number: change.number,
      patchset: subject.patchset,
    });
    this.context.emit({
      type: "ref-updated",
      connection,
      account,
      eventTime: now,
      project: change.project,
      ref: branchRef,
      oldrev: state.baseCommit,
      newrev: state.commit,
      ...(files === undefined ? {} : { files }),
    });
    return { merged: true, error: null };
  }

  /**
   * Makes sure the tested commit is in the project's repository: merge commits the merger made
   * exist only in its own repository, so they are fetched from there by their speculative ref.
   */
  private async bringTestedCommit(
    gitDir: string,
    project: string,
    state: ProjectState,
  ): Promise<boolean> {
    if ((await readCommitOnce(gitDir, state.commit)) !== null) return true;
    const source = this.testedRepository?.(project);
    if (source === undefined) return false;
    await runGit(gitDir, [
      "fetch",
      "--quiet",
      "--no-tags",
      "--no-write-fetch-head",
      "--end-of-options",
      source,
      state.ref,
    ]);
    return (await readCommitOnce(gitDir, state.commit)) !== null;
  }
}
