// Adapters between the daemon's real services and the Scheduler: each answer of the executor and
// the node provider kicks the driver, builds are held back while the daemon stops, metric effects
// go to the metrics recorder, and tenant layouts carry the connections' hostnames.
import type { Logger } from "pino";

import type {
  BuildProgress,
  EffectHandler,
  ExecutorService,
  LayoutLoad,
  NodeAnswer,
  NodeService,
  PipelineHost,
  PipelineStatusJson,
  TenantLayouts,
} from "../../actors/supervisor/services.js";
import type { ItemSubject } from "../../messages/change.js";
import type { BuildCancel, BuildLaunch, Metric, NodeRequest } from "../../messages/effects.js";
import type { Envelope } from "../../messages/envelope.js";
import type { ConfigError, Layout } from "../../messages/layout.js";
import type { EstimateLookup } from "../../messages/status.js";
import {
  loadLayout,
  loadSpeculativeLayout,
  type ConnectionDrivers,
  type RepositoryReader,
  type TenantConfig,
} from "../../runtime/config/index.js";

/** The executor service with a count of running builds and a switch that holds back launches. */
export class GuardedExecutor implements ExecutorService {
  private readonly running = new Set<string>();
  private held = 0;
  private holding = false;

  constructor(
    private readonly inner: ExecutorService,
    private readonly kick: () => void,
    private readonly log: Logger,
  ) {}

  /** Builds started and not yet completed. */
  get runningBuilds(): number {
    return this.running.size;
  }

  /** Launches held back since the daemon began to stop. */
  get heldBuilds(): number {
    return this.held;
  }

  /** Stops launching builds; the daemon is stopping and waits only for those already running. */
  holdLaunches(): void {
    this.holding = true;
  }

  launch(launch: BuildLaunch, progress: (progress: BuildProgress) => void): void {
    if (this.holding) {
      this.held += 1;
      this.log.info(
        {
          tenant: launch.tenant,
          pipeline: launch.pipeline,
          item: launch.item,
          build: launch.build,
        },
        "build not started because the daemon is stopping",
      );
      return;
    }
    this.running.add(launch.build);
    this.inner.launch(launch, (event) => {
      if (event.kind === "build-completed") this.running.delete(launch.build);
      progress(event);
      this.kick();
    });
  }

  cancel(cancel: BuildCancel): void {
    this.inner.cancel(cancel);
  }
}

/** The node service, kicking the driver when a request is answered. */
export class KickingNodes implements NodeService {
  constructor(
    private readonly inner: NodeService,
    private readonly kick: () => void,
  ) {}

  request(request: NodeRequest, answer: (answer: NodeAnswer) => void): void {
    this.inner.request(request, (result) => {
      answer(result);
      this.kick();
    });
  }

  release(request: string): void {
    this.inner.release(request);
  }

  cancel(request: string): void {
    this.inner.cancel(request);
  }
}

/** A pipeline host that hands every metric effect to `onMetric` before the Scheduler sees it. */
export class MeteredHost implements PipelineHost {
  constructor(
    private readonly inner: PipelineHost,
    private readonly onMetric: (metric: Metric) => void,
  ) {}

  setEffectHandler(handler: EffectHandler): void {
    this.inner.setEffectHandler((tenant, pipeline, effect) => {
      if (effect.type === "metric") this.onMetric(effect);
      handler(tenant, pipeline, effect);
    });
  }

  spawnPipeline(tenant: string, pipeline: string, layout: Layout): Promise<void> {
    return this.inner.spawnPipeline(tenant, pipeline, layout);
  }

  stopPipeline(tenant: string, pipeline: string): Promise<void> {
    return this.inner.stopPipeline(tenant, pipeline);
  }

  send(envelope: Envelope): void {
    this.inner.send(envelope);
  }

  whenIdle(): Promise<void> {
    return this.inner.whenIdle();
  }

  mirroredSubject(tenant: string, pipeline: string, key: string): ItemSubject | undefined {
    return this.inner.mirroredSubject(tenant, pipeline, key);
  }

  pipelineStatus(
    tenant: string,
    pipeline: string,
    now: number,
    estimates: EstimateLookup,
  ): Promise<PipelineStatusJson> {
    return this.inner.pipelineStatus(tenant, pipeline, now, estimates);
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

/** A tenant's layouts from its projects' branch tips, with canonical names from the hostnames. */
export class DaemonLayouts implements TenantLayouts {
  readonly tenant: string;
  private readonly config: TenantConfig;

  constructor(
    config: TenantConfig,
    private readonly reader: RepositoryReader,
    private readonly connections: ConnectionDrivers,
    hostnames: Readonly<Record<string, string>>,
  ) {
    this.tenant = config.name;
    this.config = {
      ...config,
      projects: config.projects.map((project) => {
        const host = hostnames[project.connection];
        return host === undefined
          ? project
          : { ...project, canonicalName: `${host}/${project.name}` };
      }),
    };
  }

  load(previous?: Layout): Promise<LayoutLoad> {
    return loadLayout(this.config, this.reader, {
      connections: this.connections,
      placement: "worker",
      now: Date.now,
      previous,
    });
  }

  loadSpeculative(
    base: Layout,
    overlay: Readonly<Record<string, Readonly<Record<string, string>>>>,
    branch: string,
  ): Promise<{
    readonly layout: Layout;
    readonly errors: readonly ConfigError[];
  }> {
    return loadSpeculativeLayout(base, this.config, this.reader, overlay, branch);
  }
}
