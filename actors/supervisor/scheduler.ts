// The Scheduler: wires pipeline actors to connections, the merger, nodes, the executor and the
// mutex actor. It loads tenant layouts, spawns one actor per tenant-pipeline, turns connection
// events into trigger envelopes, routes effects to services and their results back, runs management
// commands and assembles the status document. The daemon and `gatehouse simulate` share it.
import type { Logger } from "pino";

import {
  canMerge,
  subjectDisplayId,
  type ChangeRecord,
  type ItemSubject,
} from "../../messages/change.js";
import type { Effect } from "../../messages/effects.js";
import { LANES, pipelineAddress, type Envelope } from "../../messages/envelope.js";
import type { ConfigError, Layout } from "../../messages/layout.js";

import { configBranch, projectPipeline } from "../../runtime/config/freeze.js";
import { managerOf } from "../pipeline/managers.js";
import { addressTrigger, ChangeResolver, makeEnvelope } from "./change-resolution.js";
import { EffectRouter } from "./effect-router.js";
import { Outbox } from "./outbox.js";
import type { SchedulerEvent, SchedulerObserver } from "./scheduler-events.js";
import type {
  Connection,
  ConnectionEvent,
  ExecutorService,
  MergerService,
  MutexService,
  NodeService,
  PipelineHost,
  TenantLayouts,
} from "./services.js";
import { buildStatusDocument, type StatusDocument } from "./status-document.js";
import { TimeDatabase } from "./time-database.js";
import { TimerTriggers, type TimerClock } from "./timer-triggers.js";

export interface SchedulerOptions {
  readonly host: PipelineHost;
  readonly tenants: readonly TenantLayouts[];
  readonly connections: ReadonlyMap<string, Connection>;
  readonly merger: MergerService;
  readonly nodes: NodeService;
  readonly executor: ExecutorService;
  readonly mutex: MutexService;
  /** Milliseconds since the epoch, or on a virtual clock; stamps every envelope's `at`. */
  readonly now: () => number;
  readonly log: Logger;
  /** Version string for the status document's `zuul_version`. */
  readonly version: string;
  readonly observer?: SchedulerObserver;
  /** Clock of timer triggers; without it, timer triggers never fire. */
  readonly timers?: TimerClock;
  /** Successful build durations for estimated times. Defaults to an empty in-memory database. */
  readonly timeDatabase?: TimeDatabase;
}

/** Operator commands, as the control socket and the simulator give them. */
export type ManagementCommand =
  | {
      readonly command: "enqueue";
      readonly tenant: string;
      readonly pipeline: string;
      readonly connection: string;
      readonly number: number;
      /** The current patchset when omitted. */
      readonly patchset?: number;
    }
  | {
      readonly command: "enqueue-ref";
      readonly tenant: string;
      readonly pipeline: string;
      readonly connection: string;
      readonly project: string;
      readonly ref: string;
      readonly oldrev?: string;
      readonly newrev?: string;
    }
  | {
      readonly command: "dequeue";
      readonly tenant: string;
      readonly pipeline: string;
      readonly project: string;
      /** `NUMBER,PATCHSET` of a change or the ref name of a ref item. */
      readonly id: string;
    }
  | {
      readonly command: "promote";
      readonly tenant: string;
      readonly pipeline: string;
      readonly changes: readonly string[];
    }
  | { readonly command: "reconfigure"; readonly tenant: string }
  | { readonly command: "pause"; readonly tenant: string }
  | { readonly command: "resume"; readonly tenant: string };

/**
 * An enqueue or enqueue-ref that the pipeline would drop: the project has no configuration in
 * the pipeline on that branch, or a merging pipeline gets a change that cannot merge.
 */
export class EnqueueRejectedError extends Error {
  override readonly name = "EnqueueRejectedError";
}

/** A tenant whose configuration-project layout does not load. */
export class TenantConfigError extends Error {
  override readonly name = "TenantConfigError";

  constructor(
    readonly tenant: string,
    readonly errors: readonly ConfigError[],
  ) {
    const first = errors[0];
    const where = first === undefined ? "" : ` (${first.project} ${first.file}:${first.line})`;
    super(
      `tenant "${tenant}" configuration has ${errors.length} error(s)${where}: ` +
        (first?.message ?? "no details"),
    );
  }
}

/** A command named a tenant, pipeline or connection that does not exist. */
export class UnknownNameError extends Error {
  override readonly name = "UnknownNameError";
}

/** Paths a project's Zuul configuration is read from. */
const CONFIG_PATH = /^(zuul\.yaml|zuul\.d\/.+|\.zuul\.yaml|\.zuul\.d\/.+)$/;

/** True when any of the paths is a Zuul configuration file. */
export function touchesConfig(files: readonly string[]): boolean {
  return files.some((file) => CONFIG_PATH.test(file));
}

interface QueuedEffect {
  readonly rank: number;
  readonly sequence: number;
  readonly effect: Effect;
}

export class Scheduler {
  private readonly layouts = new Map<string, Layout>();
  private readonly lastReconfigured = new Map<string, number>();
  private readonly tenantLayouts = new Map<string, TenantLayouts>();
  private readonly ranks = new Map<string, number>();
  private readonly reloadRequested = new Set<string>();
  private readonly resolver: ChangeResolver;
  private readonly outbox: Outbox;
  private readonly router: EffectRouter;
  private readonly observer: SchedulerObserver;
  private readonly unsubscribers: (() => void)[] = [];
  private readonly timerTriggers: TimerTriggers | null;
  private readonly timeDatabase: TimeDatabase;
  private effects: QueuedEffect[] = [];
  private sequence = 0;

  constructor(private readonly options: SchedulerOptions) {
    this.observer = options.observer ?? (() => undefined);
    this.resolver = new ChangeResolver(options.connections);
    this.outbox = new Outbox(this.observer);
    this.timeDatabase = options.timeDatabase ?? new TimeDatabase();
    for (const tenant of options.tenants) this.tenantLayouts.set(tenant.tenant, tenant);
    this.router = new EffectRouter({
      merger: options.merger,
      nodes: options.nodes,
      executor: options.executor,
      mutex: options.mutex,
      resolver: this.resolver,
      outbox: this.outbox,
      observer: this.observer,
      timeDatabase: this.timeDatabase,
      log: options.log,
      now: options.now,
      layout: (tenant) => this.layouts.get(tenant),
      tenantLayouts: (tenant) => this.tenant(tenant),
      mirroredSubject: (tenant, pipeline, key) =>
        options.host.mirroredSubject(tenant, pipeline, key),
      recordsAhead: options.observer !== undefined,
      configMayHaveChanged: (tenant, change) => {
        if (touchesConfig(change.files)) this.reloadRequested.add(tenant);
      },
    });
    this.timerTriggers =
      options.timers === undefined
        ? null
        : new TimerTriggers(options.timers, this.resolver, this.outbox, options.log);
    options.host.setEffectHandler((tenant, pipeline, effect) => {
      this.effects.push({
        rank: this.ranks.get(pipelineAddress(tenant, pipeline)) ?? Number.MAX_SAFE_INTEGER,
        sequence: this.sequence++,
        effect,
      });
    });
  }

  /** Loads every tenant, spawns its pipelines and starts listening to the connections. */
  async start(): Promise<void> {
    for (const tenant of this.options.tenants) {
      const loaded = await tenant.load();
      if (!loaded.ok) throw new TenantConfigError(tenant.tenant, loaded.errors);
      this.installLayout(tenant.tenant, loaded.layout, []);
      for (const pipeline of Object.keys(loaded.layout.pipelines)) {
        await this.options.host.spawnPipeline(tenant.tenant, pipeline, loaded.layout);
      }
    }
    for (const connection of this.options.connections.values()) {
      this.unsubscribers.push(
        connection.subscribe((event) => {
          this.onConnectionEvent(event);
        }),
      );
    }
  }

  /** Returns the current layout of a tenant. */
  layout(tenant: string): Layout {
    const layout = this.layouts.get(tenant);
    if (layout === undefined) throw new UnknownNameError(this.unknownTenantMessage(tenant));
    return layout;
  }

  /** Queues one operator command; `settle` (or the daemon's loop) delivers it. */
  async manage(command: ManagementCommand): Promise<void> {
    const layout = this.layout(command.tenant);
    const at = this.options.now();
    const to = (pipeline: string): string => {
      if (layout.pipelines[pipeline] === undefined) {
        const known = Object.keys(layout.pipelines).join(", ");
        throw new UnknownNameError(
          `unknown pipeline "${pipeline}" in tenant "${command.tenant}"; its pipelines are: ${known}`,
        );
      }
      return pipelineAddress(command.tenant, pipeline);
    };
    switch (command.command) {
      case "enqueue": {
        const address = to(command.pipeline);
        const { change, related } = await this.resolver.resolveChange(
          command.connection,
          command.number,
          command.patchset,
        );
        checkEnqueue(layout, command.pipeline, change);
        const body = { tenant: command.tenant, pipeline: command.pipeline, change, related };
        this.outbox.post(makeEnvelope("enqueue", "management", address, at, body));
        return;
      }
      case "enqueue-ref": {
        const address = to(command.pipeline);
        const current = await this.resolver.resolveRef(
          command.connection,
          command.project,
          command.ref,
        );
        const ref = {
          ...current,
          oldrev: command.oldrev ?? current.oldrev,
          newrev: command.newrev ?? current.newrev,
        };
        checkEnqueue(layout, command.pipeline, ref);
        const body = { tenant: command.tenant, pipeline: command.pipeline, ref };
        this.outbox.post(makeEnvelope("enqueue-ref", "management", address, at, body));
        return;
      }
      case "dequeue": {
        const body = {
          tenant: command.tenant,
          pipeline: command.pipeline,
          project: command.project,
          id: command.id,
        };
        this.outbox.post(makeEnvelope("dequeue", "management", to(command.pipeline), at, body));
        return;
      }
      case "promote": {
        const body = {
          tenant: command.tenant,
          pipeline: command.pipeline,
          changes: command.changes,
        };
        this.outbox.post(makeEnvelope("promote", "management", to(command.pipeline), at, body));
        return;
      }
      case "reconfigure":
        this.outbox.post(...(await this.reconfigure(command.tenant, true)));
        return;
      case "pause":
      case "resume":
        for (const pipeline of Object.keys(layout.pipelines)) {
          const body = { tenant: command.tenant };
          this.outbox.post(makeEnvelope(command.command, "management", to(pipeline), at, body));
        }
        return;
    }
  }

  /**
   * Runs until nothing is left to do: every envelope delivered, every actor idle, every effect
   * routed and every service result sent back. Builds that the executor still runs stay running.
   */
  async settle(): Promise<void> {
    for (;;) {
      await this.options.host.whenIdle();
      if (this.effects.length === 0 && this.outbox.empty && this.reloadRequested.size === 0) {
        return;
      }
      await this.pump();
    }
  }

  /** Returns the status document of one tenant. */
  async status(tenant: string): Promise<StatusDocument> {
    const layout = this.layout(tenant);
    const now = this.options.now();
    const estimates = this.timeDatabase.estimatesOf(tenant);
    const pipelines = [];
    for (const pipeline of Object.keys(layout.pipelines)) {
      pipelines.push(await this.options.host.pipelineStatus(tenant, pipeline, now, estimates));
    }
    return buildStatusDocument({
      version: this.options.version,
      lengths: this.outbox.lengths(),
      lastReconfigured: this.lastReconfigured.get(tenant) ?? layout.loadedAt,
      pipelines,
    });
  }

  /** Counts the builds launched and not yet finished or canceled. */
  get runningBuilds(): number {
    return this.router.runningBuilds;
  }

  /** Stops listening to connections and stops every actor. */
  async shutdown(): Promise<void> {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    for (const tenant of this.layouts.keys()) this.timerTriggers?.cancel(tenant);
    await this.options.host.shutdown();
  }

  /** Routes the queued effects in actor order, then sends the resulting envelopes, management first. */
  private async pump(): Promise<void> {
    const effects = this.effects.sort((a, b) => a.rank - b.rank || a.sequence - b.sequence);
    this.effects = [];
    for (const { effect } of effects) this.router.route(effect);
    const envelopes = await this.outbox.drain();
    const reconfigures: Envelope[] = [];
    for (const tenant of [...this.reloadRequested]) {
      this.reloadRequested.delete(tenant);
      reconfigures.push(...(await this.reconfigure(tenant, false)));
    }
    const all = [...reconfigures, ...envelopes];
    for (const lane of LANES) {
      for (const envelope of all) {
        if (envelope.lane === lane) this.options.host.send(envelope);
      }
    }
  }

  private onConnectionEvent(event: ConnectionEvent): void {
    this.outbox.reserve(
      (async () => {
        const resolved = await this.resolver.resolveEvent(event);
        const subject = resolved.body.subject;
        const at = this.options.now();
        const envelopes: Envelope[] = [];
        for (const [tenant, layout] of this.layouts) {
          if (!this.tenantHasProject(layout, subject.connection, subject.project)) continue;
          envelopes.push(...addressTrigger(resolved, tenant, Object.keys(layout.pipelines), at));
          if (this.eventMayChangeConfig(event, subject.type === "change" ? subject : null)) {
            this.reloadRequested.add(tenant);
          }
        }
        return { envelopes };
      })(),
    );
  }

  private eventMayChangeConfig(event: ConnectionEvent, change: ChangeRecord | null): boolean {
    if (event.type === "ref-updated") {
      return event.ref.startsWith("refs/heads/") && touchesConfig(event.files ?? ["zuul.yaml"]);
    }
    return event.type === "change-merged" && change !== null && touchesConfig(change.files);
  }

  private tenantHasProject(layout: Layout, connection: string, project: string): boolean {
    return Object.values(layout.projects).some(
      (candidate) =>
        candidate.connection === connection &&
        (candidate.name === project || candidate.canonicalName === project),
    );
  }

  /**
   * Reloads a tenant's layout. Unless `force`, an unchanged layout is left alone. When the new
   * layout does not load, the tenant keeps the old one, and a forced reload, which an operator
   * requested, throws TenantConfigError. Returns the envelopes that hand the new layout to the
   * pipelines that remain. Added pipelines are spawned and removed ones stopped.
   */
  private async reconfigure(tenant: string, force: boolean): Promise<Envelope[]> {
    const old = this.layout(tenant);
    const loaded = await this.tenant(tenant).load(old);
    if (!loaded.ok) {
      this.options.log.error({ tenant, errors: loaded.errors.length }, "reconfiguration failed");
      for (const error of loaded.errors) this.observer({ type: "config-error", tenant, error });
      if (force) throw new TenantConfigError(tenant, loaded.errors);
      return [];
    }
    if (!force && sameLayout(old, loaded.layout)) return [];
    this.installLayout(tenant, loaded.layout, old.configErrors);
    const envelopes: Envelope[] = [];
    const at = this.options.now();
    for (const pipeline of Object.keys(old.pipelines)) {
      if (loaded.layout.pipelines[pipeline] !== undefined) continue;
      this.router.cancelPipelineBuilds(tenant, pipeline);
      this.options.mutex.releasePipeline(tenant, pipeline);
      this.effects = this.effects.filter(
        (queued) => !(queued.effect.tenant === tenant && queued.effect.pipeline === pipeline),
      );
      await this.options.host.stopPipeline(tenant, pipeline);
    }
    for (const pipeline of Object.keys(loaded.layout.pipelines)) {
      if (old.pipelines[pipeline] === undefined) {
        await this.options.host.spawnPipeline(tenant, pipeline, loaded.layout);
        continue;
      }
      const body = { tenant, layout: loaded.layout };
      envelopes.push(
        makeEnvelope("reconfigure", "management", pipelineAddress(tenant, pipeline), at, body),
      );
    }
    this.options.log.info({ tenant, pipelines: envelopes.length }, "tenant reconfigured");
    return envelopes;
  }

  private installLayout(tenant: string, layout: Layout, previousErrors: readonly ConfigError[]) {
    this.layouts.set(tenant, layout);
    this.lastReconfigured.set(tenant, this.options.now());
    this.timerTriggers?.schedule(layout);
    const seen = new Set(previousErrors.map((error) => JSON.stringify(error)));
    for (const error of layout.configErrors) {
      if (error.severity === "error" && !seen.has(JSON.stringify(error))) {
        this.observer({ type: "config-error", tenant, error } satisfies SchedulerEvent);
      }
    }
    const tenantIndex = [...this.tenantLayouts.keys()].indexOf(tenant);
    Object.keys(layout.pipelines).forEach((pipeline, index) => {
      this.ranks.set(pipelineAddress(tenant, pipeline), tenantIndex * 10_000 + index);
    });
  }

  private tenant(tenant: string): TenantLayouts {
    const found = this.tenantLayouts.get(tenant);
    if (found === undefined) throw new UnknownNameError(this.unknownTenantMessage(tenant));
    return found;
  }

  private unknownTenantMessage(tenant: string): string {
    const known = [...this.tenantLayouts.keys()].join(", ");
    return `unknown tenant "${tenant}"; the configured tenants are: ${known}`;
  }
}

/** True when two layouts are the same configuration, ignoring when they were loaded. */
function sameLayout(a: Layout, b: Layout): boolean {
  return JSON.stringify({ ...a, loadedAt: 0 }) === JSON.stringify({ ...b, loadedAt: 0 });
}

/**
 * Raises EnqueueRejectedError for an item that the pipeline would not enqueue, so the operator
 * learns why instead of seeing nothing happen. The pipeline checks the same rules again.
 */
function checkEnqueue(layout: Layout, pipeline: string, subject: ItemSubject): void {
  const name = subjectDisplayId(subject);
  const branch = configBranch(layout, subject.project, subject.branch);
  if (projectPipeline(layout, subject.project, pipeline, branch) === null) {
    throw new EnqueueRejectedError(
      `${name} of project "${subject.project}" was not enqueued: the project has no jobs in ` +
        `pipeline "${pipeline}" on branch "${branch}"; add the pipeline to its project stanza`,
    );
  }
  const config = layout.pipelines[pipeline];
  if (config === undefined || !managerOf(config).changesMerge) return;
  if (subject.type !== "change") {
    throw new EnqueueRejectedError(
      `${name} of project "${subject.project}" was not enqueued: pipeline "${pipeline}" merges ` +
        `changes and takes no refs; use a pipeline with the independent or supercedent manager`,
    );
  }
  if (!canMerge(subject)) {
    throw new EnqueueRejectedError(
      `change ${name} was not enqueued: pipeline "${pipeline}" merges changes and takes only ` +
        `open, current changes that can be submitted; check its status and votes with ` +
        `\`gatehouse show ${subject.number}\``,
    );
  }
}
