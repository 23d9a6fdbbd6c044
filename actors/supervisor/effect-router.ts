// Routes each pipeline effect to the service that handles it, and each service result back to the owning
// pipeline as a result envelope addressed by tenant, pipeline and item.
import type { Logger } from "pino";

import { subjectKey, type ChangeRecord, type ItemSubject } from "../../messages/change.js";
import type {
  BuildLaunch,
  Effect,
  ItemEvent,
  MergeRequest,
  Report,
} from "../../messages/effects.js";
import { assertNever, pipelineAddress, type Envelope } from "../../messages/envelope.js";
import type { Layout } from "../../messages/layout.js";
import type {
  BuildCompletedBody,
  MergeFailedBody,
  MergeSucceededBody,
  ReportCompletedBody,
  ResultMessage,
} from "../../messages/result.js";

import {
  addressTrigger,
  makeEnvelope,
  ZUUL_CONNECTION,
  type ChangeResolver,
} from "./change-resolution.js";
import type { Outbox, SlotContent } from "./outbox.js";
import type { SchedulerEvent, SchedulerObserver } from "./scheduler-events.js";
import type {
  BuildProgress,
  Connection,
  ExecutorService,
  MergerService,
  MutexService,
  NodeService,
  ReportOutcome,
  TenantLayouts,
} from "./services.js";
import type { TimeDatabase } from "./time-database.js";

/** The services and state the router uses, from the Scheduler around it. */
export interface RouterContext {
  readonly merger: MergerService;
  readonly nodes: NodeService;
  readonly executor: ExecutorService;
  readonly mutex: MutexService;
  readonly resolver: ChangeResolver;
  readonly outbox: Outbox;
  readonly observer: SchedulerObserver;
  /** Receives the duration of every successful build. */
  readonly timeDatabase: TimeDatabase;
  readonly log: Logger;
  now(): number;
  /** The tenant's current layout, or undefined for an unknown tenant. */
  layout(tenant: string): Layout | undefined;
  tenantLayouts(tenant: string): TenantLayouts;
  /** The record of a subject in a pipeline's mirror, shared instead of a launch's own copy. */
  mirroredSubject(tenant: string, pipeline: string, key: string): ItemSubject | undefined;
  /** True when events must carry each build's `ahead` list, which costs memory per build. */
  readonly recordsAhead: boolean;
  /** Called when a merge may have changed a project's configuration. */
  configMayHaveChanged(tenant: string, change: ChangeRecord): void;
}

/**
 * A build the Scheduler launched and has not seen finish or be canceled: only what its events
 * need, so that a long queue does not keep every launch's states and job alive.
 */
interface TrackedBuild {
  readonly tenant: string;
  readonly pipeline: string;
  readonly item: string;
  readonly subject: ItemSubject;
  readonly job: string;
  readonly attempts: number;
  readonly build: string;
  readonly attempt: number;
  /** The subjects ahead, kept only when an observer records them. */
  readonly ahead: readonly ItemSubject[];
}

/** The `ahead` of every tracked build when no observer records it, shared instead of one per build. */
const NO_SUBJECTS: readonly ItemSubject[] = Object.freeze([]);

/** Builds the result envelope of one service result, addressed to the pipeline that owns it. */
function resultEnvelope<M extends ResultMessage>(
  kind: M["kind"],
  at: number,
  body: M["body"],
): Envelope {
  return makeEnvelope(kind, "result", pipelineAddress(body.tenant, body.pipeline), at, body);
}

export class EffectRouter {
  private readonly builds = new Map<string, TrackedBuild>();
  private readonly merges = new Map<string, MergeRequest>();

  constructor(private readonly context: RouterContext) {}

  /** Routes one effect of the pipeline actor `tenant/pipeline`. */
  route(effect: Effect): void {
    switch (effect.type) {
      case "merge-request":
        this.onMergeRequest(effect);
        return;
      case "node-request":
        this.context.nodes.request(effect, (answer) => {
          const at = this.context.now();
          const ref = { tenant: effect.tenant, pipeline: effect.pipeline, item: effect.item };
          const common = { ...ref, request: effect.request, job: effect.job };
          this.context.outbox.post(
            answer.ok
              ? resultEnvelope("nodes-provisioned", at, { ...common, nodes: answer.nodes })
              : resultEnvelope("nodes-failed", at, { ...common, message: answer.message }),
          );
        });
        return;
      case "nodes-return":
        this.context.nodes.release(effect.request);
        return;
      case "node-request-cancel":
        this.context.nodes.cancel(effect.request);
        return;
      case "build-launch":
        this.onBuildLaunch(effect);
        return;
      case "build-cancel":
        this.onBuildCancel(effect.build);
        return;
      case "semaphore-acquire":
        this.context.mutex.acquire(effect, (body) => {
          this.context.outbox.post(resultEnvelope("semaphore-acquired", this.context.now(), body));
        });
        return;
      case "semaphore-release":
        this.context.mutex.release(effect);
        return;
      case "report":
        this.onReport(effect);
        return;
      case "metric":
        this.context.log.trace({ metric: effect.name, value: effect.value }, "metric recorded");
        return;
      case "item-event":
        this.onItemEvent(effect);
        return;
      default:
        assertNever(effect, "unknown pipeline effect type");
    }
  }

  /** Cancels every build of one pipeline, for a pipeline that a reconfiguration removed. */
  cancelPipelineBuilds(tenant: string, pipeline: string): void {
    for (const [build, tracked] of [...this.builds]) {
      if (tracked.tenant === tenant && tracked.pipeline === pipeline) {
        this.onBuildCancel(build);
      }
    }
  }

  /** Counts the builds launched and not yet finished or canceled. */
  get runningBuilds(): number {
    return this.builds.size;
  }

  private onMergeRequest(request: MergeRequest): void {
    this.merges.set(request.buildset, request);
    this.context.outbox.reserve(this.merge(request));
  }

  private async merge(request: MergeRequest): Promise<SlotContent> {
    const ref = { tenant: request.tenant, pipeline: request.pipeline, item: request.item };
    let body: MergeSucceededBody | MergeFailedBody;
    try {
      body = { ...(await this.context.merger.merge(request)), ...ref };
    } catch (error) {
      this.context.log.error({ err: error, ...ref, buildset: request.buildset }, "merger failed");
      const message = error instanceof Error ? error.message : String(error);
      body = { ...ref, ok: false, buildset: request.buildset, conflict: false, files: [], message };
    } finally {
      this.merges.delete(request.buildset);
    }
    if (body.ok && body.configFiles !== null)
      body = await this.withSpeculativeLayout(request, body);
    return { envelopes: [resultEnvelope("merge-completed", this.context.now(), body)] };
  }

  /**
   * Attaches the layout an item's own configuration gives. Only untrusted projects count: a
   * config project's edits take effect after they merge, when the tenant reconfigures.
   */
  private async withSpeculativeLayout(
    request: MergeRequest,
    body: MergeSucceededBody,
  ): Promise<MergeSucceededBody> {
    const base = this.context.layout(request.tenant);
    const own = request.changes.at(-1);
    if (base === undefined || own === undefined || body.configFiles === null) return body;
    const overlay: Record<string, Readonly<Record<string, string>>> = {};
    for (const [project, files] of Object.entries(body.configFiles)) {
      const tenantProject = Object.values(base.projects).find(
        (candidate) => candidate.name === project || candidate.canonicalName === project,
      );
      if (tenantProject !== undefined && !tenantProject.trusted) overlay[project] = files;
    }
    if (Object.keys(overlay).length === 0) return body;
    const loaded = await this.context
      .tenantLayouts(request.tenant)
      .loadSpeculative(base, overlay, own.branch);
    return { ...body, layout: loaded.layout, configErrors: loaded.errors };
  }

  private onBuildLaunch(launch: BuildLaunch): void {
    const tracked: TrackedBuild = {
      tenant: launch.tenant,
      pipeline: launch.pipeline,
      item: launch.item,
      // A launch from a worker thread carries a copy of the item's record, and the mirror has
      // one. Build events use only the fields that the subject key fixes, so either will do.
      subject:
        this.context.mirroredSubject(launch.tenant, launch.pipeline, subjectKey(launch.subject)) ??
        launch.subject,
      job: launch.job.name,
      attempts: launch.job.attempts,
      build: launch.build,
      attempt: launch.attempt,
      ahead: this.context.recordsAhead ? launch.ahead : NO_SUBJECTS,
    };
    this.builds.set(launch.build, tracked);
    this.context.executor.launch(launch, (progress) => {
      this.onBuildProgress(tracked, progress);
    });
  }

  private onBuildProgress(tracked: TrackedBuild, progress: BuildProgress): void {
    // A canceled build may still report; the pipeline no longer waits for it.
    if (this.builds.get(tracked.build) !== tracked) return;
    const at = this.context.now();
    const event = buildEventFields(tracked);
    const body = { ...progress.body, tenant: tracked.tenant, pipeline: tracked.pipeline };
    if (progress.kind === "build-started") {
      this.context.observer({ type: "build-started", ...event });
      this.context.outbox.post(resultEnvelope("build-started", at, body));
      return;
    }

    this.builds.delete(tracked.build);
    if (progress.body.result === "SUCCESS") this.recordDuration(tracked, progress.body);
    const holder = { tenant: tracked.tenant, pipeline: tracked.pipeline, item: tracked.item };
    this.context.mutex.buildEnded({ ...holder, job: tracked.job }, tracked.build);
    const lost = progress.body.result === null;
    const lastAttempt = tracked.attempt >= tracked.attempts;
    this.context.observer({
      type: "build-completed",
      ...event,
      result: lost && lastAttempt ? "RETRY_LIMIT" : progress.body.result,
      retry: lost && !lastAttempt,
    });
    this.context.outbox.post(resultEnvelope("build-completed", at, body));
  }

  /** Adds a successful build's duration to the tenant's time database. */
  private recordDuration(tracked: TrackedBuild, body: BuildCompletedBody): void {
    const key = {
      tenant: tracked.tenant,
      project: tracked.subject.project,
      branch: tracked.subject.branch,
      job: tracked.job,
    };
    try {
      this.context.timeDatabase.record({
        ...key,
        durationMs: Math.max(0, body.endTime - body.startTime),
      });
    } catch (error) {
      this.context.log.error(
        { err: error, ...key, build: tracked.build },
        "failed to record build duration",
      );
    }
  }

  private onBuildCancel(build: string): void {
    const tracked = this.builds.get(build);
    if (tracked === undefined) return;
    this.builds.delete(build);
    const event = buildEventFields(tracked);
    this.context.executor.cancel({
      type: "build-cancel",
      tenant: tracked.tenant,
      pipeline: tracked.pipeline,
      item: tracked.item,
      build,
    });
    this.context.observer({ type: "build-canceled", ...event });
  }

  private onReport(report: Report): void {
    this.context.observer({
      type: "reported",
      tenant: report.tenant,
      pipeline: report.pipeline,
      item: report.item,
      subject: report.subject,
      action: report.action,
      result: report.result,
      message: report.message,
    });
    this.context.outbox.reserve(this.deliverReport(report));
  }

  /** Runs the reporters of every connection the report names, the subject's own last. */
  private async deliverReport(report: Report): Promise<SlotContent> {
    const ref = { tenant: report.tenant, pipeline: report.pipeline, item: report.item };
    const byConnection = new Map<string, Report["reporters"][number][]>();
    for (const reporter of report.reporters) {
      const list = byConnection.get(reporter.connection) ?? [];
      list.push(reporter);
      byConnection.set(reporter.connection, list);
    }
    const own = report.subject.connection;
    let outcome: ReportOutcome = { merged: report.submit ? false : null, error: null };
    const errors: string[] = [];
    const ordered = [...byConnection.keys()].sort((a, b) => Number(a === own) - Number(b === own));
    for (const name of ordered) {
      const connection = this.reportingConnection(name, ref);
      if (connection === null) continue;
      const submit = report.submit && name === own;
      const result = await this.safeReport(connection, {
        ...report,
        reporters: byConnection.get(name) ?? [],
        submit,
      });
      if (result.error !== null) errors.push(result.error);
      if (submit) outcome = result;
    }
    if (report.submit && !byConnection.has(own)) {
      errors.push(`no reporter of connection "${own}" is configured to merge the change`);
    }
    const body: ReportCompletedBody = {
      ...ref,
      report: report.report,
      merged: outcome.merged,
      error: errors.length === 0 ? null : errors.join("; "),
    };
    const envelopes: Envelope[] = [resultEnvelope("report-completed", this.context.now(), body)];
    const events: SchedulerEvent[] = [];
    if (outcome.merged === true && report.subject.type === "change") {
      const merged = await this.context.resolver.resolveChange(own, report.subject.number);
      events.push({ type: "merged", ...ref, subject: report.subject, change: merged.change });
      envelopes.push(...(await this.projectChangeMerged(report.tenant, merged.change)));
      this.context.configMayHaveChanged(report.tenant, merged.change);
    }
    return { envelopes, events };
  }

  private reportingConnection(
    name: string,
    ref: { tenant: string; pipeline: string; item: string },
  ): Connection | null {
    try {
      return this.context.resolver.connection(name);
    } catch (error) {
      this.context.log.warn({ err: error, ...ref, connection: name }, "reporter skipped");
      return null;
    }
  }

  private async safeReport(connection: Connection, report: Report): Promise<ReportOutcome> {
    try {
      return await connection.report(report);
    } catch (error) {
      const ref = { tenant: report.tenant, pipeline: report.pipeline, item: report.item };
      this.context.log.error({ err: error, ...ref, connection: connection.name }, "report failed");
      const message = error instanceof Error ? error.message : String(error);
      return { merged: report.submit ? false : null, error: message };
    }
  }

  private onItemEvent(effect: ItemEvent): void {
    const base = {
      tenant: effect.tenant,
      pipeline: effect.pipeline,
      item: effect.item,
      subject: effect.subject,
    };
    if (effect.event === "enqueued") {
      this.context.observer({ type: "enqueued", ...base, queue: effect.queue, live: effect.live });
      if (effect.live && effect.subject.type === "change" && effect.subject.neededBy.length > 0) {
        this.announceParentEnqueued(effect);
      }
      return;
    }
    this.context.observer({ type: "dequeued", ...base, reason: effect.reason ?? "dequeued" });
  }

  /** Tells pipelines that trigger on the `zuul` connection that a change others need is queued. */
  private announceParentEnqueued(effect: ItemEvent): void {
    const layout = this.context.layout(effect.tenant);
    if (layout === undefined || !hasZuulTriggers(layout)) return;
    if (effect.subject.type !== "change") return;
    const children = effect.subject.neededBy;
    this.context.outbox.reserve(
      (async () => {
        const envelopes: Envelope[] = [];
        for (const key of children) {
          const change = await this.context.resolver.resolveKey(key);
          if (change === null) continue;
          const related = await this.context.resolver
            .connection(change.connection)
            .source.getRelated(change);
          envelopes.push(
            ...this.zuulTrigger(
              effect.tenant,
              "parent-change-enqueued",
              { change, related },
              {
                pipeline: effect.pipeline,
              },
            ),
          );
        }
        return { envelopes };
      })(),
    );
  }

  /**
   * Builds a `project-change-merged` event for every other open change of the merged change's project
   * branch, so that pipelines can test them against the new branch tip.
   */
  private async projectChangeMerged(tenant: string, merged: ChangeRecord): Promise<Envelope[]> {
    const layout = this.context.layout(tenant);
    if (layout === undefined || !hasZuulTriggers(layout)) return [];
    const source = this.context.resolver.connection(merged.connection).source;
    if (source.getOpenChanges === undefined) {
      this.context.log.debug({ connection: merged.connection }, "source cannot list open changes");
      return [];
    }
    const envelopes: Envelope[] = [];
    for (const change of await source.getOpenChanges(merged.project, merged.branch)) {
      if (change.number === merged.number) continue;
      const related = await source.getRelated(change);
      envelopes.push(...this.zuulTrigger(tenant, "project-change-merged", { change, related }));
    }
    return envelopes;
  }

  private zuulTrigger(
    tenant: string,
    kind: "project-change-merged" | "parent-change-enqueued",
    resolved: { change: ChangeRecord; related: readonly ChangeRecord[] },
    extra: Record<string, unknown> = {},
  ): Envelope[] {
    const layout = this.context.layout(tenant);
    if (layout === undefined || !hasZuulTriggers(layout)) return [];
    const body = {
      connection: ZUUL_CONNECTION,
      subject: resolved.change,
      related: resolved.related,
      account: null,
      eventTime: this.context.now(),
      ...extra,
    };
    return addressTrigger(
      { kind, body },
      tenant,
      Object.keys(layout.pipelines),
      this.context.now(),
    );
  }
}

/** Returns the fields every event of a build carries. */
function buildEventFields(tracked: TrackedBuild) {
  return {
    tenant: tracked.tenant,
    pipeline: tracked.pipeline,
    item: tracked.item,
    subject: tracked.subject,
    job: tracked.job,
    build: tracked.build,
    attempt: tracked.attempt,
    ahead: tracked.ahead,
  };
}

/** True when some pipeline of the layout has a trigger on the `zuul` connection. */
function hasZuulTriggers(layout: Layout): boolean {
  return Object.values(layout.pipelines).some((pipeline) =>
    pipeline.triggers.some((trigger) => trigger.connection === ZUUL_CONNECTION),
  );
}
