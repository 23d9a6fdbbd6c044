// Instant services for the gate benchmark: a review source of N approved changes, a merger and
// reporter that reply at once, and an executor whose builds finish as soon as they start. They
// keep git and processes out of the measurement, so it shows the Scheduler and the pipelines.
import { ConfigLayouts } from "../../actors/supervisor/config-layouts.js";
import type { ChangeRecord } from "../../messages/change.js";
import type { RepositoryReader } from "../../runtime/config/index.js";
import type { BuildLaunch, MergeRequest, Report } from "../../messages/effects.js";
import type { MergeSucceededBody } from "../../messages/result.js";
import type {
  BuildProgress,
  Connection,
  ConnectionEvent,
  ExecutorService,
  MergerService,
  MutexService,
  ReportOutcome,
} from "../../actors/supervisor/services.js";

export const BENCH_CONNECTION = "review";
export const BENCH_PROJECT = "org/project1";
/** The jobs every change runs in the gate. */
export const GATE_JOBS = ["unit", "lint", "integration"];

const CONFIG = `- pipeline:
    name: gate
    manager: dependent
    window: 0
    trigger:
      ${BENCH_CONNECTION}:
        - event: comment-added
          approval:
            - Approved: 1
    success:
      ${BENCH_CONNECTION}:
        Verified: 2
        submit: true
    failure:
      ${BENCH_CONNECTION}:
        Verified: -2
${GATE_JOBS.map((job) => `- job:\n    name: ${job}\n    run: playbooks/${job}.yaml\n`).join("")}`;

const PROJECT_CONFIG = `- project:
    gate:
      jobs:
${GATE_JOBS.map((job) => `        - ${job}\n`).join("")}`;

const TENANT = `- tenant:
    name: bench
    source:
      ${BENCH_CONNECTION}:
        config-projects:
          - config
        untrusted-projects:
          - ${BENCH_PROJECT}
`;

/** The two repositories of the benchmark tenant, each with one configuration file on master. */
const reader: RepositoryReader = {
  branches: () => Promise.resolve(["master"]),
  listFiles: (_connection, project) =>
    Promise.resolve([project === "config" ? "zuul.yaml" : ".zuul.yaml"]),
  readFile: (_connection, project, _branch, path) => {
    if (project === "config" && path === "zuul.yaml") return Promise.resolve(CONFIG);
    if (project === BENCH_PROJECT && path === ".zuul.yaml") return Promise.resolve(PROJECT_CONFIG);
    return Promise.resolve(null);
  },
};

/** Returns the layouts of the benchmark tenant: one dependent gate pipeline with `window: 0` and the three jobs. */
export function gateTenantLayouts(now: () => number): ConfigLayouts {
  return ConfigLayouts.fromText(TENANT, "bench tenant config", "bench", {
    reader,
    connections: { [BENCH_CONNECTION]: "local" },
    placement: "inline",
    now,
  });
}

const account = { name: "reviewer", email: "reviewer@example.org", username: "reviewer" };

/** A review system whose changes are all approved and independent of each other. */
export class InstantReview implements Connection {
  readonly name = BENCH_CONNECTION;
  private readonly listeners = new Set<(event: ConnectionEvent) => void>();
  private readonly merged = new Set<number>();

  readonly source = {
    getChange: (number: number): Promise<ChangeRecord> => Promise.resolve(this.record(number)),
    getRelated: (): Promise<ChangeRecord[]> => Promise.resolve([]),
    getRef: (project: string, ref: string) =>
      Promise.resolve({
        type: "ref" as const,
        connection: BENCH_CONNECTION,
        project,
        canonicalName: `review.example.org/${project}`,
        ref,
        branch: ref.replace(/^refs\/heads\//, ""),
        oldrev: "0".repeat(40),
        newrev: "1".repeat(40),
        url: "",
      }),
  };

  constructor(private readonly now: () => number) {}

  subscribe(listener: (event: ConnectionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Announces the approval of change `number`. */
  approve(number: number): void {
    const approvals = ["Code-Review", "Approved"].map((label) => ({
      label,
      value: label === "Code-Review" ? 2 : 1,
      by: "reviewer",
      at: this.now(),
    }));
    for (const listener of this.listeners) {
      listener({
        type: "comment-added",
        connection: BENCH_CONNECTION,
        number,
        patchset: 1,
        comment: "",
        approvals,
        account,
        eventTime: this.now(),
      });
    }
  }

  report(report: Report): Promise<ReportOutcome> {
    if (!report.submit || report.subject.type !== "change") {
      return Promise.resolve({ merged: null, error: null });
    }
    this.merged.add(report.subject.number);
    return Promise.resolve({ merged: true, error: null });
  }

  get mergedCount(): number {
    return this.merged.size;
  }

  private record(number: number): ChangeRecord {
    return {
      type: "change",
      connection: BENCH_CONNECTION,
      project: BENCH_PROJECT,
      canonicalName: `review.example.org/${BENCH_PROJECT}`,
      number,
      patchset: 1,
      branch: "master",
      ref: `refs/changes/${String(number % 100).padStart(2, "0")}/${number}/1`,
      commit: number.toString(16).padStart(40, "0"),
      subject: `Change ${number}`,
      message: `Change ${number}\n`,
      topic: null,
      owner: account,
      url: `https://review.example.org/${number}`,
      status: this.merged.has(number) ? "MERGED" : "NEW",
      isCurrentPatchset: true,
      approvals: [
        { label: "Code-Review", value: 2, by: "reviewer", at: 0 },
        { label: "Approved", value: 1, by: "reviewer", at: 0 },
      ],
      submittable: true,
      files: [`file-${number}.txt`],
      needs: [],
      neededBy: [],
      createdAt: 0,
    };
  }
}

/** Builds every speculative state at once, without configuration files. */
export class InstantMerger implements MergerService {
  merge(request: MergeRequest): Promise<MergeSucceededBody> {
    const own = request.changes.at(-1);
    return Promise.resolve({
      tenant: request.tenant,
      pipeline: request.pipeline,
      item: request.item,
      ok: true,
      buildset: request.buildset,
      states: [
        {
          connection: BENCH_CONNECTION,
          project: BENCH_PROJECT,
          branch: own?.branch ?? "master",
          commit: "2".repeat(40),
          baseCommit: "1".repeat(40),
          ref: `refs/gatehouse/master/${request.buildset}`,
        },
      ],
      files: own === undefined ? [] : [`file-${own.number}.txt`],
      configFiles: null,
    });
  }
}

/** Finishes each build as it starts: FAILURE for the failing job of a failing change. */
export class InstantExecutor implements ExecutorService {
  launched = 0;

  /** With `hold`, builds start and never finish, so every item stays queued. */
  constructor(
    private readonly fails: (change: number, job: string) => boolean,
    private readonly now: () => number,
    private readonly hold = false,
  ) {}

  launch(launch: BuildLaunch, progress: (progress: BuildProgress) => void): void {
    this.launched += 1;
    const ref = { tenant: launch.tenant, pipeline: launch.pipeline, item: launch.item };
    const time = this.now();
    progress({
      kind: "build-started",
      body: {
        ...ref,
        build: launch.build,
        job: launch.job.name,
        startTime: time,
        nodeName: null,
        logUrl: null,
      },
    });
    if (this.hold) return;
    const number = launch.subject.type === "change" ? launch.subject.number : 0;
    progress({
      kind: "build-completed",
      body: {
        ...ref,
        build: launch.build,
        job: launch.job.name,
        result: this.fails(number, launch.job.name) ? "FAILURE" : "SUCCESS",
        startTime: time,
        endTime: time,
        logUrl: null,
        message: null,
      },
    });
  }

  cancel(): void {
    // Builds finish as they start, so there is never one to stop.
  }
}

/** The benchmark's jobs use no semaphores, so no request ever reaches this. */
export class NoSemaphores implements MutexService {
  acquire(): void {
    throw new Error("the gate benchmark configures no semaphores");
  }

  release(): void {
    // Nothing is held.
  }

  buildEnded(): void {
    // Nothing is held.
  }

  releasePipeline(): void {
    // Nothing is held.
  }
}
