// Test harness for the pipeline reducer. It loads layouts from YAML through the real config
// loader, has `make*` builders for records and messages, and runs a small in-memory world that
// replies to the reducer's effects (merges, nodes, builds, reports, and the real mutex reducer) until it settles.
import { pino } from "pino";

import type { AllocatedNode, BuildResult } from "../../messages/build.js";
import { changeKey, type ChangeRecord, type RefRecord } from "../../messages/change.js";
import type { BuildLaunch, Effect, Report } from "../../messages/effects.js";
import type { Envelope, Lane } from "../../messages/envelope.js";
import type { Layout } from "../../messages/layout.js";
import type { MutexMessage } from "../../messages/mutex.js";
import type { PipelineMessage } from "../../messages/pipeline.js";
import type { TriggerKind } from "../../messages/trigger.js";
import { reduceMutex } from "../../actors/mutex/reducer.js";
import { initialMutexState, type MutexState } from "../../actors/mutex/state.js";
import { reducePipeline } from "../../actors/pipeline/reducer.js";
import { entryValues, getEntry } from "../../actors/pipeline/sharded.js";
import {
  initialPipelineState,
  type PipelineState,
  type QueueItem,
} from "../../actors/pipeline/state.js";
import {
  loadLayout,
  parseTenantConfig,
  type RepositoryReader,
} from "../../runtime/config/index.js";

export const silentLog = pino({ level: "silent" });

export const CONNECTION = "review";
export const HOST = "review.example.com";

/** Files of each project's master branch, by project then path. */
export type ProjectFilesSpec = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** Loads a tenant layout from YAML: `config` contains the config project's files. */
export async function loadTestLayout(
  config: Readonly<Record<string, string>>,
  projects: ProjectFilesSpec,
): Promise<Layout> {
  const all: Record<string, Readonly<Record<string, string>>> = { config, ...projects };
  const untrusted = Object.keys(projects)
    .map((name) => `          - ${name}\n`)
    .join("");
  const tenantText =
    "- tenant:\n    name: example\n    source:\n      review:\n" +
    "        config-projects:\n          - config\n" +
    (untrusted === "" ? "" : `        untrusted-projects:\n${untrusted}`);
  const parsed = parseTenantConfig(tenantText, "main.yaml");
  const tenant = parsed.tenants[0];
  if (tenant === undefined)
    throw new Error(`tenant config invalid: ${JSON.stringify(parsed.errors)}`);
  const reader: RepositoryReader = {
    branches: (_connection, project) =>
      Promise.resolve(all[project] === undefined ? [] : ["master"]),
    listFiles: (_connection, project) => Promise.resolve(Object.keys(all[project] ?? {})),
    readFile: (_connection, project, _branch, path) =>
      Promise.resolve(all[project]?.[path] ?? null),
  };
  const result = await loadLayout(tenant, reader, {
    connections: { review: "gerrit" },
    hostnames: { review: HOST },
    placement: "inline",
    now: () => 0,
  });
  if (!result.ok) throw new Error(`layout invalid: ${JSON.stringify(result.errors, null, 2)}`);
  const errors = result.layout.configErrors.filter((error) => error.severity === "error");
  if (errors.length > 0) throw new Error(`layout has errors: ${JSON.stringify(errors, null, 2)}`);
  return result.layout;
}

export interface ChangeSpec {
  readonly number: number;
  readonly patchset?: number;
  readonly project?: string;
  readonly branch?: string;
  /** Numbers (patchset 1) or keys of the changes this one needs. */
  readonly needs?: readonly (number | string)[];
  readonly neededBy?: readonly (number | string)[];
  /** Code-Review +2 and Approved +1; default true. */
  readonly approved?: boolean;
  readonly status?: ChangeRecord["status"];
  readonly current?: boolean;
  readonly files?: readonly string[];
  readonly approvals?: ChangeRecord["approvals"];
}

function keyOf(value: number | string): string {
  return typeof value === "number" ? changeKey(CONNECTION, value, 1) : value;
}

export function makeChange(spec: ChangeSpec): ChangeRecord {
  const patchset = spec.patchset ?? 1;
  const project = spec.project ?? "org/project1";
  const approved = spec.approved ?? true;
  const approvals =
    spec.approvals ??
    (approved
      ? [
          { label: "Code-Review", value: 2, by: "core", at: 0 },
          { label: "Approved", value: 1, by: "core", at: 0 },
        ]
      : []);
  return {
    type: "change",
    connection: CONNECTION,
    project,
    canonicalName: `${HOST}/${project}`,
    number: spec.number,
    patchset,
    branch: spec.branch ?? "master",
    ref: `refs/changes/${String(spec.number % 100).padStart(2, "0")}/${spec.number}/${patchset}`,
    commit: `commit-${spec.number}-${patchset}`,
    subject: `Change ${spec.number}`,
    message: `Change ${spec.number}\n`,
    topic: null,
    owner: { name: "Owner", email: "owner@example.com", username: "owner" },
    url: `https://${HOST}/${spec.number}`,
    status: spec.status ?? "NEW",
    isCurrentPatchset: spec.current ?? true,
    approvals,
    submittable: approved,
    files: spec.files ?? [`file-${spec.number}.txt`],
    needs: (spec.needs ?? []).map(keyOf),
    neededBy: (spec.neededBy ?? []).map(keyOf),
    createdAt: 0,
  };
}

export function makeRef(project: string, ref: string, newrev = "b".repeat(40)): RefRecord {
  return {
    type: "ref",
    connection: CONNECTION,
    project,
    canonicalName: `${HOST}/${project}`,
    ref,
    branch: ref.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : null,
    oldrev: "a".repeat(40),
    newrev,
    url: `https://${HOST}/${project}`,
  };
}

/** Display id `NUMBER,PATCHSET` of a change. */
export function displayOf(change: ChangeRecord): string {
  return `${change.number},${change.patchset}`;
}

export interface BuildRecord {
  readonly uuid: string;
  readonly job: string;
  readonly change: string;
  readonly attempt: number;
  /** Display ids of the items ahead, nearest first. */
  readonly ahead: readonly string[];
  result: BuildResult | null | "CANCELED-BY-PIPELINE" | "HELD";
}

export interface ReportRecord {
  readonly change: string;
  readonly action: string;
  readonly result: BuildResult | null;
  readonly message: string;
  readonly submit: boolean;
}

/** Decides a build's result: a result, null for a lost attempt, or "hold" to keep it running. */
export type ResultScript = (launch: BuildLaunch) => BuildResult | null | "hold";

export interface WorldOptions {
  readonly pipeline: string;
  readonly tenant?: string;
  readonly results?: ResultScript;
  /** Display ids whose merge is a conflict. */
  readonly conflicts?: readonly string[];
  /** Display ids whose submit fails. */
  readonly submitFails?: readonly string[];
  /** False to drop effects once handled, for long runs; `effects` then stays empty. */
  readonly keepEffects?: boolean;
  /** Extra merge-completed fields per display id (speculative layouts, config errors). */
  readonly mergeExtras?: Readonly<Record<string, Record<string, unknown>>>;
}

interface Pending {
  readonly to: "pipeline" | "mutex";
  readonly envelope: Envelope;
}

function displayOfSubject(subject: BuildLaunch["subject"]): string {
  return subject.type === "change" ? `${subject.number},${subject.patchset}` : subject.ref;
}

/** One pipeline actor's reducer, the mutex reducer and scripted services around them. */
export class World {
  state: PipelineState;
  mutex: MutexState = initialMutexState();
  now = 1_000_000;
  readonly effects: Effect[] = [];
  readonly builds: BuildRecord[] = [];
  private readonly buildsByUuid = new Map<string, BuildRecord>();
  readonly reports: ReportRecord[] = [];
  readonly merged: string[] = [];
  readonly dequeued: { change: string; reason: string | null }[] = [];
  readonly enqueued: { change: string; live: boolean }[] = [];
  readonly held: BuildLaunch[] = [];
  readonly mergeRequests: Effect[] = [];
  private batching = false;
  private readonly queue: Pending[] = [];
  private counter = 0;
  private readonly options: WorldOptions;

  constructor(layout: Layout, options: WorldOptions) {
    this.options = options;
    this.state = initialPipelineState({
      tenant: options.tenant ?? "example",
      pipeline: options.pipeline,
      layout,
    });
  }

  get tenant(): string {
    return this.state.tenant;
  }

  uuid = (): string => {
    this.counter += 1;
    return `u${String(this.counter).padStart(5, "0")}`;
  };

  envelope<K extends string, B>(kind: K, lane: Lane, body: B): Envelope<K, B> {
    return { kind, id: this.uuid(), lane, from: "test", to: "pipeline", at: this.now, body };
  }

  /** Delivers one message to the pipeline now, then replies to every effect until quiet. */
  send(message: PipelineMessage): void {
    this.deliver(message);
    if (!this.batching) this.settle();
  }

  /**
   * Runs `deliverAll` with every message it sends handled before any reply, as events that
   * arrive together are, then replies to every effect until quiet.
   */
  batch(deliverAll: () => void): void {
    this.batching = true;
    try {
      deliverAll();
    } finally {
      this.batching = false;
    }
    this.settle();
  }

  /** Delivers one message without replying to its effects. */
  deliver(message: PipelineMessage): void {
    const reduction = reducePipeline(this.state, message, {
      now: this.now,
      uuid: this.uuid,
      log: silentLog,
    });
    this.state = reduction.state;
    for (const effect of reduction.effects) this.onEffect(effect);
  }

  settle(): void {
    for (let steps = 0; this.queue.length > 0; steps++) {
      if (steps > 10_000_000) throw new Error("world did not settle");
      const next = this.queue.shift();
      if (next === undefined) break;
      if (next.to === "mutex") this.deliverMutex(next.envelope as MutexMessage);
      else this.deliver(next.envelope as PipelineMessage);
    }
  }

  private post(kind: string, body: unknown): void {
    this.queue.push({ to: "pipeline", envelope: this.envelope(kind, "result", body) });
  }

  private deliverMutex(message: MutexMessage): void {
    const reduction = reduceMutex(this.mutex, message, { now: this.now, log: silentLog });
    this.mutex = reduction.state;
    for (const grant of reduction.effects) {
      this.post("semaphore-acquired", {
        tenant: grant.tenant,
        pipeline: grant.pipeline,
        item: grant.item,
        job: grant.job,
        semaphores: grant.semaphores,
      });
    }
  }

  private onEffect(effect: Effect): void {
    if (this.options.keepEffects !== false) this.effects.push(effect);
    switch (effect.type) {
      case "merge-request":
        if (this.options.keepEffects !== false) this.mergeRequests.push(effect);
        this.answerMerge(effect);
        return;
      case "node-request": {
        const nodes: AllocatedNode[] = effect.nodes.map((node) => ({
          name: node.name,
          label: node.label,
          nodeName: "local",
          host: "localhost",
        }));
        this.post("nodes-provisioned", {
          tenant: effect.tenant,
          pipeline: effect.pipeline,
          item: effect.item,
          request: effect.request,
          job: effect.job,
          nodes,
        });
        return;
      }
      case "build-launch":
        this.runBuild(effect);
        return;
      case "build-cancel": {
        const record = this.buildsByUuid.get(effect.build);
        if (record !== undefined) record.result = "CANCELED-BY-PIPELINE";
        const index = this.held.findIndex((launch) => launch.build === effect.build);
        if (index >= 0) this.held.splice(index, 1);
        return;
      }
      case "semaphore-acquire":
      case "semaphore-release":
        this.queue.push({
          to: "mutex",
          envelope: { ...this.envelope(effect.type, "management", effect), to: "mutex" },
        });
        return;
      case "report":
        this.onReport(effect);
        return;
      case "item-event": {
        const change =
          effect.subject.type === "change"
            ? `${effect.subject.number},${effect.subject.patchset}`
            : effect.subject.ref;
        if (effect.event === "enqueued") this.enqueued.push({ change, live: effect.live });
        else this.dequeued.push({ change, reason: effect.reason });
        return;
      }
      case "nodes-return":
      case "node-request-cancel":
      case "metric":
        return;
    }
  }

  private answerMerge(effect: Effect & { type: "merge-request" }): void {
    const own = effect.changes[effect.changes.length - 1];
    const display = own === undefined ? (effect.refItem?.ref ?? "") : own.id;
    const base = { tenant: effect.tenant, pipeline: effect.pipeline, item: effect.item };
    if (this.options.conflicts?.includes(display) === true) {
      this.post("merge-completed", {
        ...base,
        ok: false,
        buildset: effect.buildset,
        conflict: true,
        files: ["README"],
        message: "merge conflict",
      });
      return;
    }
    this.post("merge-completed", {
      ...base,
      ok: true,
      buildset: effect.buildset,
      states: [
        {
          connection: CONNECTION,
          project: "org/project1",
          branch: "master",
          commit: `state-${effect.buildset}`,
          baseCommit: "base",
          ref: `refs/gatehouse/master/${effect.buildset}`,
        },
      ],
      files: [`file-${display}`],
      configFiles: null,
      ...(this.options.mergeExtras?.[display] ?? {}),
    });
  }

  private runBuild(launch: BuildLaunch): void {
    const record: BuildRecord = {
      uuid: launch.build,
      job: launch.job.name,
      change: displayOfSubject(launch.subject),
      attempt: launch.attempt,
      ahead: this.options.keepEffects === false ? [] : launch.ahead.map(displayOfSubject),
      result: null,
    };
    this.builds.push(record);
    this.buildsByUuid.set(record.uuid, record);
    const base = { tenant: launch.tenant, pipeline: launch.pipeline, item: launch.item };
    this.post("build-started", {
      ...base,
      build: launch.build,
      job: launch.job.name,
      startTime: this.now,
      nodeName: launch.nodes[0]?.nodeName ?? null,
      logUrl: `https://logs.example.com/${launch.build}`,
    });
    const scripted = this.options.results?.(launch);
    const result = scripted === undefined ? "SUCCESS" : scripted;
    if (result === "hold") {
      record.result = "HELD";
      this.held.push(launch);
      return;
    }
    this.finishBuild(launch, result);
  }

  private finishBuild(launch: BuildLaunch, result: BuildResult | null): void {
    const record = this.buildsByUuid.get(launch.build);
    if (record !== undefined) record.result = result;
    this.post("build-completed", {
      tenant: launch.tenant,
      pipeline: launch.pipeline,
      item: launch.item,
      build: launch.build,
      job: launch.job.name,
      result,
      startTime: this.now,
      endTime: this.now + 5_000,
      logUrl: `https://logs.example.com/${launch.build}`,
      message: null,
    });
  }

  /** Completes held builds matching the filter, in start order, then settles. */
  release(
    filter: (launch: BuildLaunch) => boolean = () => true,
    result: (launch: BuildLaunch) => BuildResult | null = () => "SUCCESS",
  ): void {
    const released = this.held.filter(filter);
    for (const launch of released) {
      this.held.splice(this.held.indexOf(launch), 1);
      this.finishBuild(launch, result(launch));
    }
    this.settle();
  }

  private onReport(report: Report): void {
    const change =
      report.subject.type === "change"
        ? `${report.subject.number},${report.subject.patchset}`
        : report.subject.ref;
    this.reports.push({
      change,
      action: report.action,
      result: report.result,
      message: report.message,
      submit: report.submit,
    });
    const fails = this.options.submitFails?.includes(change) === true;
    if (report.submit && !fails) this.merged.push(change);
    this.post("report-completed", {
      tenant: report.tenant,
      pipeline: report.pipeline,
      item: report.item,
      report: report.report,
      merged: report.submit ? !fails : null,
      error: report.submit && fails ? "the branch moved" : null,
    });
  }

  // Message builders.

  enqueue(change: ChangeRecord, related: readonly ChangeRecord[] = []): void {
    this.send(
      this.envelope("enqueue", "management", {
        tenant: this.tenant,
        pipeline: this.state.pipeline,
        change,
        related,
      }),
    );
  }

  trigger(
    kind: TriggerKind,
    subject: ChangeRecord | RefRecord,
    extra: Record<string, unknown> = {},
    related: readonly ChangeRecord[] = [],
  ): void {
    const body = {
      tenant: this.tenant,
      connection: CONNECTION,
      subject,
      related,
      account: { name: "Core", email: "core@example.com", username: "core" },
      eventTime: this.now,
      ...extra,
    };
    this.send(this.envelope(kind, "trigger", body) as PipelineMessage);
  }

  /** Sends a comment-added event that casts Approved +1, as an approval does. */
  approve(change: ChangeRecord, related: readonly ChangeRecord[] = []): void {
    this.trigger(
      "comment-added",
      change,
      {
        comment: "Looks good",
        approvals: [{ label: "Approved", value: 1, by: "core", at: this.now }],
      },
      related,
    );
  }

  management(kind: string, body: Record<string, unknown>): void {
    this.send(
      this.envelope(kind, "management", {
        tenant: this.tenant,
        pipeline: this.state.pipeline,
        ...body,
      }) as PipelineMessage,
    );
  }

  /** Builds as `JOB CHANGE RESULT` lines, in launch order. */
  history(): string[] {
    return this.builds.map((build) => `${build.job} ${build.change} ${String(build.result)}`);
  }

  reportLines(): string[] {
    return this.reports.map(
      (report) => `${report.change} ${report.action} ${String(report.result)}`,
    );
  }

  /** Returns the item with this id. */
  item(id: string): QueueItem | undefined {
    return getEntry(this.state.items, id);
  }

  /** Returns every item of the pipeline. */
  items(): QueueItem[] {
    return entryValues(this.state.items);
  }

  /** Ids of a queue's items in order. */
  queueIds(queueIndex = 0): string[] {
    const queue = this.state.queues[queueIndex];
    return (queue?.itemIds ?? []).filter((id): id is string => id !== null);
  }

  /** Display ids of a queue's items in order. */
  queueOrder(queueIndex = 0): string[] {
    return this.queueIds(queueIndex).map((id) => {
      const item = this.item(id);
      const record = item === undefined ? undefined : getEntry(this.state.records, item.key);
      if (record === undefined) return "?";
      return record.type === "change" ? `${record.number},${record.patchset}` : record.ref;
    });
  }
}
