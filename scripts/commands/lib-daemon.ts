// The daemon: builds every service from the settings, binds the control socket and the web
// server, runs the Scheduler, and stops gracefully (no new triggers or builds, running builds
// finish) or, on a second stop, at once.
import { readFileSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import type { Logger } from "pino";

import { LocalConnection } from "../../actors/connections/local/connection.js";
import { executorServiceOf } from "../../actors/executor/executor-service.js";
import { Executor } from "../../actors/executor/index.js";
import { Merger } from "../../actors/merger/merger.js";
import { NodeProvider } from "../../actors/nodes/node-provider.js";
import { nodeServiceOf } from "../../actors/nodes/node-service.js";
import { MutexClient } from "../../actors/supervisor/mutex-client.js";
import { Scheduler } from "../../actors/supervisor/scheduler.js";
import type { Connection } from "../../actors/supervisor/services.js";
import { createPipelineHost } from "../../actors/supervisor/pipeline-host.js";
import type { SupervisorHost } from "../../actors/supervisor/supervisor-host.js";
import { TimeDatabase } from "../../actors/supervisor/time-database.js";
import { SqliteDurationStorage } from "../../actors/supervisor/time-database-store.js";
import type { DaemonInfo, StopResult } from "../../messages/requests.js";
import {
  closeConfigPool,
  daemonConnectionDrivers,
  daemonHostnames,
} from "../../runtime/config/index.js";
import { ControlError, ControlServer } from "../../runtime/control/index.js";
import { startHttpServer, type HttpServer } from "../../runtime/http/index.js";
import { MetricsRecorder } from "../../runtime/metrics/index.js";
import { Store } from "../../runtime/store/store.js";
import { daemonRegistry, tenantStatus } from "./lib-daemon-handlers.js";
import { emptyEventCounts, eventLogger, type EventCounts } from "./lib-daemon-events.js";
import { ETC_DIRECTORY, type DaemonSettings } from "./lib-daemon-config.js";
import {
  DaemonLayouts,
  GuardedExecutor,
  KickingNodes,
  MeteredHost,
} from "./lib-daemon-services.js";
import { BareRepositoryReader } from "./lib-repository-reader.js";
import { createSampleProject, defaultSampleProjects } from "./lib-sample-projects.js";
import { SchedulerDriver } from "./lib-scheduler-driver.js";

/** Version of this checkout, from package.json. */
export const VERSION = (
  JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

/** How often a stopping daemon checks whether its running builds finished, in ms. */
const STOP_POLL_MS = 100;

/** The services of a running daemon, created in start() and closed in shutDown(). */
interface Services {
  readonly store: Store;
  readonly locals: ReadonlyMap<string, LocalConnection>;
  readonly merger: Merger;
  readonly nodes: NodeProvider;
  readonly executor: Executor;
  readonly guarded: GuardedExecutor;
  readonly scheduler: Scheduler;
  readonly driver: SchedulerDriver;
  readonly host: SupervisorHost;
}

export class Daemon {
  private services: Services | null = null;
  private control: ControlServer | null = null;
  private web: HttpServer | null = null;
  private metrics: MetricsRecorder;
  private readonly startedAt = Date.now();
  private readonly events: EventCounts = emptyEventCounts();
  /** True once every service and the web server run; the control socket opens before that. */
  private ready = false;
  private stopRequest: "graceful" | "immediate" | null = null;
  private stopped: Promise<void> | null = null;
  private wakeStop: () => void = () => undefined;
  private readonly tenantNames: string[];

  constructor(
    readonly settings: DaemonSettings,
    private readonly log: Logger,
  ) {
    this.tenantNames = settings.tenants.map((tenant) => tenant.name);
    this.metrics = new MetricsRecorder({
      directory: settings.paths.metricsLogs,
      statsd: settings.statsd,
      prometheus: settings.config.prometheus,
      log,
    });
  }

  /** Starts everything; rejects, with everything already started closed again, when a part fails. */
  async start(): Promise<void> {
    const { paths } = this.settings;
    await mkdir(paths.stateDir, { recursive: true, mode: 0o700 });
    // The control socket comes first: binding it is what refuses a second daemon on this state.
    this.control = await ControlServer.start({
      socketPath: paths.socket,
      registry: daemonRegistry(this.handlerContext()),
      log: this.log,
    });
    try {
      await writeFile(paths.pidFile, `${process.pid}\n`, { mode: 0o644 });
      await this.createSampleProjects();
      this.services = await this.startServices();
      this.web = await this.startWeb();
    } catch (err) {
      await this.shutDown();
      throw err;
    }
    this.ready = true;
    this.log.info(
      { stateDir: paths.stateDir, socket: paths.socket, web: this.web.url },
      "daemon started",
    );
  }

  /** Resolves when the daemon has stopped and closed everything. */
  async finished(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.wakeStop = resolve;
      if (this.stopRequest !== null) resolve();
    });
    this.stopped ??= this.windDown();
    await this.stopped;
  }

  /** The base URL of the web server. */
  get webUrl(): string | null {
    return this.web?.url ?? null;
  }

  /** Starts a graceful stop; a second call makes it immediate. */
  stop(): StopResult {
    if (this.stopRequest === null) {
      this.stopRequest = "graceful";
      this.log.info({ runningBuilds: this.runningBuilds() }, "graceful stop requested");
      this.services?.guarded.holdLaunches();
      this.wakeStop();
      return { immediate: false, runningBuilds: this.runningBuilds() };
    }
    this.stopRequest = "immediate";
    this.log.info({ runningBuilds: this.runningBuilds() }, "immediate stop requested");
    this.wakeStop();
    return { immediate: true, runningBuilds: this.runningBuilds() };
  }

  info(): DaemonInfo {
    return {
      version: VERSION,
      pid: process.pid,
      startedAt: this.startedAt,
      stateDir: this.settings.paths.stateDir,
      socket: this.settings.paths.socket,
      webUrl: this.webUrl,
      tenants: this.tenantNames,
      localConnections: this.settings.localConnections.map((connection) => ({
        name: connection.name,
        root: connection.root,
        projects: this.tenantProjects(connection.name),
      })),
    };
  }

  // A method, not a field read, because a second stop changes the field while windDown awaits.
  private stopIsGraceful(): boolean {
    return this.stopRequest === "graceful";
  }

  private runningBuilds(): number {
    return this.services?.guarded.runningBuilds ?? 0;
  }

  private tenantProjects(connection: string): string[] {
    const names = new Set<string>();
    for (const tenant of this.settings.tenants) {
      for (const project of tenant.projects) {
        if (project.connection === connection) names.add(project.name);
      }
    }
    return [...names];
  }

  private stats(): Record<string, unknown> {
    const services = this.services;
    return {
      version: VERSION,
      pid: process.pid,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      stopping: this.stopRequest,
      tenants: this.tenantNames.length,
      events: { ...this.events },
      builds: {
        running: services?.guarded.runningBuilds ?? 0,
        tracked: services?.scheduler.runningBuilds ?? 0,
        heldWhileStopping: services?.guarded.heldBuilds ?? 0,
      },
      nodes: services?.nodes.usage() ?? [],
      // Paused pipelines hold their trigger events in their mailboxes, counted as `queued`.
      pipelines: (services?.host.supervisor.status() ?? []).flatMap((actor) =>
        actor.pipeline === null
          ? []
          : [
              {
                tenant: actor.tenant,
                pipeline: actor.pipeline,
                paused: actor.paused,
                queued: actor.queued,
              },
            ],
      ),
      metrics: this.metrics.counts(),
      controlClients: this.control?.clientCount ?? 0,
      failedSchedulerRuns: services?.driver.failedRuns ?? 0,
    };
  }

  private handlerContext() {
    return {
      log: this.log,
      info: () => {
        this.readyServices();
        return this.info();
      },
      stats: () => this.stats(),
      scheduler: () => this.readyServices().scheduler,
      tenants: () => this.tenantNames,
      localConnections: () => this.readyServices().locals,
      stopping: () => this.stopRequest !== null,
      stop: () => this.stop(),
      kick: () => {
        this.services?.driver.kick();
      },
    };
  }

  /**
   * Returns the services once the daemon has started. While the Scheduler still loads tenants
   * and spawns pipelines, requests get `rejected`, and `info` too, so a client that waits for
   * `info` (as scripts/gatehouse-daemon does) waits until the daemon can serve every command.
   */
  private readyServices(): Services {
    if (!this.ready || this.services === null) {
      throw new ControlError("rejected", "The daemon is still starting; try again in a moment.");
    }
    return this.services;
  }

  private async createSampleProjects(): Promise<void> {
    if (!this.settings.embeddedDefault) return;
    const local = this.settings.localConnections[0];
    if (local === undefined) return;
    for (const sample of defaultSampleProjects(ETC_DIRECTORY)) {
      if (await createSampleProject(local.root, sample)) {
        this.log.info({ project: sample.project, root: local.root }, "sample project created");
      }
    }
  }

  private async startServices(): Promise<Services> {
    const { settings, log } = this;
    const store = new Store(settings.paths.database);
    const locals = new Map<string, LocalConnection>();
    let merger: Merger | null = null;
    for (const connection of settings.localConnections) {
      locals.set(
        connection.name,
        new LocalConnection({
          name: connection.name,
          root: connection.root,
          store,
          log,
          hostname: connection.hostname,
          pollIntervalMs: 1000,
          submitRule: connection.submitRule,
          testedRepository: (project) => merger?.repositoryPath(connection.name, project) ?? "",
        }),
      );
    }
    const localOf = (name: string): LocalConnection => {
      const found = locals.get(name);
      if (found === undefined) throw new Error(`unknown connection "${name}"`);
      return found;
    };
    merger = new Merger({
      stateDir: settings.paths.stateDir,
      sources: (connection, project) => localOf(connection).repositoryPath(project),
      workers: settings.config.mergerWorkers,
      log,
    });
    const gitMerger = merger;
    const nodes = new NodeProvider({
      ...(settings.config.nodes.length === 0 ? {} : { nodes: settings.config.nodes }),
      log,
    });
    const executor = new Executor({
      workRoot: settings.paths.workspaces,
      logRoot: settings.paths.buildLogs,
      repositoryPath: (connection, project) => gitMerger.repositoryPath(connection, project),
      branchSource: (connection, project) => localOf(connection).repositoryPath(project),
      log,
      logUrl: (build) => (this.web === null ? null : `${this.web.url}/logs/${build}`),
    });

    let driver: SchedulerDriver | null = null;
    const kick = (): void => driver?.kick();
    const guarded = new GuardedExecutor(executorServiceOf(executor), kick, log);
    // NOTE: pipeline state is not persisted yet (no onPatches store), so items queued when the
    // daemon stops are gone after a restart; new events such as `recheck` enqueue them again.
    const host = createPipelineHost(log, "worker");
    const mutex = new MutexClient((envelope) => {
      host.sendToMutex(envelope);
    }, Date.now);
    host.setMutexHandler((effect) => {
      mutex.onEffect(effect);
      kick();
    });

    const reader = new BareRepositoryReader((connection, project) =>
      localOf(connection).repositoryPath(project),
    );
    const drivers = daemonConnectionDrivers(settings.config);
    const hostnames = daemonHostnames(settings.config);
    const connections = new Map<string, Connection>();
    for (const [name, local] of locals) connections.set(name, connectionOf(local));
    const scheduler = new Scheduler({
      host: new MeteredHost(host, (metric) => {
        this.metrics.record(metric);
      }),
      tenants: settings.tenants.map(
        (tenant) => new DaemonLayouts(tenant, reader, drivers, hostnames),
      ),
      connections,
      merger: gitMerger,
      nodes: new KickingNodes(nodeServiceOf(nodes), kick),
      executor: guarded,
      mutex,
      now: Date.now,
      log,
      version: `gatehouse ${VERSION}`,
      observer: eventLogger(log.child({ component: "scheduler" }), this.events),
      timeDatabase: new TimeDatabase(new SqliteDurationStorage(store)),
    });
    driver = new SchedulerDriver(scheduler, log.child({ component: "scheduler-driver" }));
    const services: Services = {
      store,
      locals,
      merger: gitMerger,
      nodes,
      executor,
      guarded,
      scheduler,
      driver,
      host,
    };
    this.services = services;
    await scheduler.start();
    for (const local of locals.values()) {
      // Subscribed after the Scheduler, so its listener has queued the event when this one runs.
      local.subscribe(() => {
        kick();
      });
      await local.start();
    }
    driver.start();
    return services;
  }

  private startWeb(): Promise<HttpServer> {
    return startHttpServer({
      listen: this.settings.listen,
      log: this.log,
      sources: {
        tenants: () => this.tenantNames,
        status: async (tenant) => {
          if (this.services === null || !this.tenantNames.includes(tenant)) return null;
          return tenantStatus(this.services.scheduler, tenant);
        },
        metrics: () => this.metrics.prometheusText(),
        buildLogDirectory: this.settings.paths.buildLogs,
      },
    });
  }

  private async windDown(): Promise<void> {
    const services = this.services;
    if (services !== null && this.stopRequest === "graceful") {
      // Triggers wait while paused; results still flow, so running builds report and merge.
      for (const tenant of this.tenantNames) {
        await services.scheduler.manage({ command: "pause", tenant }).catch((err: unknown) => {
          this.log.warn({ err, tenant }, "tenant not paused for the stop");
        });
      }
      services.driver.kick();
      while (this.stopIsGraceful() && services.guarded.runningBuilds > 0) {
        await new Promise((resolve) => setTimeout(resolve, STOP_POLL_MS));
      }
      if (this.stopIsGraceful()) await services.driver.settled();
    }
    await this.shutDown();
  }

  /** Closes whatever is open, in the reverse order of start(). */
  private async shutDown(): Promise<void> {
    await this.web?.close().catch((err: unknown) => {
      this.log.warn({ err }, "web server did not close cleanly");
    });
    const services = this.services;
    if (services !== null) {
      await services.driver.stop();
      for (const local of services.locals.values()) local.close();
      await services.executor.close();
      await services.scheduler.shutdown();
      await services.merger.close();
      services.store.close();
    }
    await closeConfigPool().catch(() => undefined);
    await this.metrics.close();
    await this.control?.close();
    await this.removePidFile();
    this.log.info({ stateDir: this.settings.paths.stateDir }, "daemon stopped");
  }

  private async removePidFile(): Promise<void> {
    const { pidFile } = this.settings.paths;
    const content = await readFile(pidFile, "utf8").catch(() => "");
    if (content.trim() === String(process.pid)) await rm(pidFile, { force: true });
  }
}

/** Adapts a local connection to the Connection interface of the Scheduler. */
function connectionOf(local: LocalConnection): Connection {
  return {
    name: local.name,
    source: {
      getChange: (number, patchset) => local.getChange(number, patchset),
      getRelated: (change) => local.getRelated(change),
      getRef: (project, ref) => local.getRef(project, ref),
    },
    subscribe: (listener) => local.subscribe(listener),
    report: (report) => local.report(report),
  };
}
