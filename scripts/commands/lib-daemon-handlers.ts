// The control socket commands of the daemon: management commands go to the Scheduler, review
// operations to the local connections, and failures become replies with an error code.
import type { Logger } from "pino";

import { ReviewError, type LocalConnection } from "../../actors/connections/local/connection.js";
import { ChangeNotFoundError } from "../../actors/connections/local/records.js";
import {
  TenantConfigError,
  UnknownNameError,
  EnqueueRejectedError,
  type ManagementCommand,
  type Scheduler,
} from "../../actors/supervisor/scheduler.js";
import type { DaemonInfo, StopResult, TenantArgs } from "../../messages/requests.js";
import type { StatusDocument, StatusItem } from "../../messages/status.js";
import { CommandRegistry, ControlError } from "../../runtime/control/index.js";
import { runGit } from "../../runtime/git/process.js";

/** The parts of the running daemon that the handlers use. */
export interface HandlerContext {
  readonly log: Logger;
  info(): DaemonInfo;
  stats(): Record<string, unknown>;
  /** The Scheduler; throws `rejected` while the daemon is still starting. */
  scheduler(): Scheduler;
  /** Tenant names, in the order of the tenant config. */
  tenants(): readonly string[];
  /** Local connections by name. */
  localConnections(): ReadonlyMap<string, LocalConnection>;
  /** True once a stop was requested. */
  stopping(): boolean;
  /** Starts a graceful stop, or an immediate one when a stop is already under way. */
  stop(): StopResult;
  /** Asks the Scheduler to run now. */
  kick(): void;
}

/** Builds the registry with a handler for every command. */
export function daemonRegistry(context: HandlerContext): CommandRegistry {
  const registry = new CommandRegistry();
  const management = new ManagementHandlers(context);
  const review = new ReviewHandlers(context);
  registry
    .handle("info", () => context.info())
    .handle("stats", () => context.stats())
    .handle("stop", () => context.stop())
    .handle("status", (args) => management.status(args))
    .handle("enqueue", (args) => management.enqueue(args))
    .handle("enqueue-ref", (args) => management.enqueueRef(args))
    .handle("dequeue", (args) => management.dequeue(args))
    .handle("promote", (args) => management.promote(args))
    .handle("reconfigure", (args) => management.everyTenant("reconfigure", args))
    .handle("pause", (args) => management.everyTenant("pause", args))
    .handle("resume", (args) => management.everyTenant("resume", args))
    .handle("propose", (args) => review.propose(args))
    .handle("review", (args) =>
      review.run(args, (local) =>
        local.review({
          number: args.change,
          ...optionalPatchset(args.patchset),
          labels: args.labels,
          ...optionalMessage(args.message),
          by: args.by,
        }),
      ),
    )
    .handle("abandon", (args) =>
      review.run(args, (local) =>
        local.abandon({ number: args.change, ...optionalMessage(args.message), by: args.by }),
      ),
    )
    .handle("restore", (args) =>
      review.run(args, (local) =>
        local.restore({ number: args.change, ...optionalMessage(args.message), by: args.by }),
      ),
    )
    .handle("recheck", (args) =>
      review.run(args, (local) => local.recheck({ number: args.change, by: args.by })),
    )
    .handle("show", (args) =>
      review.run(args, (local) => Promise.resolve(local.show(args.change))),
    );
  return registry;
}

function optionalPatchset(patchset: number | undefined): { patchset?: number } {
  return patchset === undefined ? {} : { patchset };
}

function optionalMessage(message: string | undefined): { message?: string } {
  return message === undefined ? {} : { message };
}

/** Turns the errors of the Scheduler and the local connection into coded replies. */
function translate(err: unknown): unknown {
  if (err instanceof ControlError) return err;
  if (err instanceof UnknownNameError || err instanceof ChangeNotFoundError) {
    return new ControlError("not-found", err.message);
  }
  if (err instanceof ReviewError) {
    return new ControlError(/not found/.test(err.message) ? "not-found" : "rejected", err.message);
  }
  if (err instanceof TenantConfigError || err instanceof EnqueueRejectedError) {
    return new ControlError("rejected", err.message);
  }
  if (err instanceof RangeError || err instanceof TypeError) {
    return new ControlError("invalid-arguments", err.message);
  }
  return err;
}

async function translated<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw translate(err);
  }
}

class ManagementHandlers {
  constructor(private readonly context: HandlerContext) {}

  status(args: TenantArgs): Promise<StatusDocument> {
    return translated(() => tenantStatus(this.context.scheduler(), this.tenantOf(args)));
  }

  enqueue(args: { tenant?: string; pipeline: string; project: string; change: string }) {
    return translated(async () => {
      const tenant = this.tenantOf(args);
      this.checkPipeline(tenant, args.pipeline);
      const connection = this.connectionOf(tenant, args.project);
      const [number, patchset] = args.change.split(",").map(Number) as [number, number];
      const local = this.context.localConnections().get(connection);
      if (local !== undefined) {
        const change = await local.getChange(number, patchset);
        if (change.project !== args.project) {
          throw new ControlError(
            "not-found",
            `Change ${args.change} belongs to project ${change.project}, not ${args.project}.`,
          );
        }
      }
      await this.manage({
        command: "enqueue",
        tenant,
        pipeline: args.pipeline,
        connection,
        number,
        patchset,
      });
      return { tenant };
    });
  }

  enqueueRef(args: {
    tenant?: string;
    pipeline: string;
    project: string;
    ref: string;
    oldrev?: string;
    newrev?: string;
  }) {
    return translated(async () => {
      const tenant = this.tenantOf(args);
      this.checkPipeline(tenant, args.pipeline);
      const connection = this.connectionOf(tenant, args.project);
      await this.manage({
        command: "enqueue-ref",
        tenant,
        pipeline: args.pipeline,
        connection,
        project: args.project,
        ref: args.ref,
        ...(args.oldrev === undefined ? {} : { oldrev: args.oldrev }),
        ...(args.newrev === undefined ? {} : { newrev: args.newrev }),
      });
      return { tenant };
    });
  }

  dequeue(args: {
    tenant?: string;
    pipeline: string;
    project: string;
    change?: string;
    ref?: string;
  }) {
    return translated(async () => {
      const tenant = this.tenantOf(args);
      this.checkPipeline(tenant, args.pipeline);
      const id = args.change ?? args.ref ?? "";
      const items = await this.itemsOf(tenant, args.pipeline);
      if (!items.some((item) => item.id === id && sameProject(item, args.project))) {
        throw new ControlError(
          "not-found",
          `No item ${id} of project ${args.project} in pipeline ${args.pipeline} of tenant ` +
            `${tenant}; its items are: ${describeItems(items)}.`,
        );
      }
      await this.manage({
        command: "dequeue",
        tenant,
        pipeline: args.pipeline,
        project: args.project,
        id,
      });
      return { tenant };
    });
  }

  promote(args: { tenant?: string; pipeline: string; changes: readonly string[] }) {
    return translated(async () => {
      const tenant = this.tenantOf(args);
      this.checkPipeline(tenant, args.pipeline);
      const items = await this.itemsOf(tenant, args.pipeline);
      const missing = args.changes.filter((id) => !items.some((item) => item.id === id));
      if (missing.length > 0) {
        throw new ControlError(
          "not-found",
          `Pipeline ${args.pipeline} of tenant ${tenant} has no item ${missing.join(", ")}; its ` +
            `items are: ${describeItems(items)}.`,
        );
      }
      await this.manage({
        command: "promote",
        tenant,
        pipeline: args.pipeline,
        changes: args.changes,
      });
      return { tenant };
    });
  }

  /**
   * Runs a command on one tenant or on every tenant. A tenant whose configuration does not load
   * keeps its previous layout, and the others are still reconfigured before the reply names the
   * failures.
   */
  everyTenant(command: "reconfigure" | "pause" | "resume", args: TenantArgs) {
    return translated(async () => {
      const tenants =
        args.tenant === undefined ? [...this.context.tenants()] : [this.tenantOf(args)];
      const failures: TenantConfigError[] = [];
      for (const tenant of tenants) {
        try {
          await this.manage({ command, tenant });
        } catch (err) {
          if (!(err instanceof TenantConfigError)) throw err;
          failures.push(err);
        }
      }
      if (failures.length > 0) {
        const reasons = failures.map((failure) => failure.message).join(". ");
        throw new ControlError(
          "rejected",
          `${reasons}. The tenant keeps its previous configuration. Fix the configuration ` +
            "project's branch, then run reconfigure again.",
        );
      }
      return { tenants };
    });
  }

  private async manage(command: ManagementCommand): Promise<void> {
    if (this.context.stopping() && command.command !== "pause") {
      throw new ControlError(
        "shutting-down",
        `The daemon is stopping and takes no ${command.command} commands.`,
      );
    }
    await this.context.scheduler().manage(command);
    this.context.kick();
  }

  private tenantOf(args: TenantArgs): string {
    const tenants = this.context.tenants();
    if (args.tenant !== undefined) {
      if (!tenants.includes(args.tenant)) {
        throw new ControlError(
          "not-found",
          `Tenant ${args.tenant} not found; the configured tenants are: ${tenants.join(", ")}.`,
        );
      }
      return args.tenant;
    }
    const [only, another] = tenants;
    if (only === undefined) throw new ControlError("rejected", "The daemon has no tenants.");
    if (another !== undefined) {
      throw new ControlError(
        "invalid-arguments",
        `The daemon has several tenants (${tenants.join(", ")}); name one with --tenant.`,
      );
    }
    return only;
  }

  private checkPipeline(tenant: string, pipeline: string): void {
    const layout = this.context.scheduler().layout(tenant);
    if (layout.pipelines[pipeline] === undefined) {
      throw new ControlError(
        "not-found",
        `Pipeline ${pipeline} not found in tenant ${tenant}; its pipelines are: ` +
          `${Object.keys(layout.pipelines).join(", ")}.`,
      );
    }
  }

  private connectionOf(tenant: string, project: string): string {
    const layout = this.context.scheduler().layout(tenant);
    const found = Object.values(layout.projects).find(
      (candidate) => candidate.name === project || candidate.canonicalName === project,
    );
    if (found === undefined) {
      const names = Object.values(layout.projects).map((candidate) => candidate.name);
      throw new ControlError(
        "not-found",
        `Project ${project} not found in tenant ${tenant}; its projects are: ${names.join(", ")}.`,
      );
    }
    return found.connection;
  }

  private async itemsOf(tenant: string, pipeline: string): Promise<StatusItem[]> {
    const status = await tenantStatus(this.context.scheduler(), tenant);
    const found = status.pipelines.find((candidate) => candidate.name === pipeline);
    return (found?.change_queues ?? []).flatMap((queue) => queue.heads.flat());
  }
}

/** Returns the status document of a tenant, with each pipeline from its actor's mirror. */
export async function tenantStatus(scheduler: Scheduler, tenant: string): Promise<StatusDocument> {
  return (await scheduler.status(tenant)) as unknown as StatusDocument;
}

function sameProject(item: StatusItem, project: string): boolean {
  return item.project === project || item.project_canonical === project;
}

function describeItems(items: readonly StatusItem[]): string {
  return items.length === 0
    ? "none"
    : items.map((item) => `${item.id} (${item.project})`).join(", ");
}

class ReviewHandlers {
  constructor(private readonly context: HandlerContext) {}

  /** Runs one review operation on the named, or only, local connection. */
  run<T>(
    args: { connection?: string },
    operation: (local: LocalConnection) => Promise<T>,
  ): Promise<T> {
    return translated(async () => {
      const result = await operation(this.local(args.connection));
      this.context.kick();
      return result;
    });
  }

  propose(args: {
    connection?: string;
    project: string;
    branch: string;
    commit: string;
    topic?: string;
    by: string;
    incomingRef?: string;
  }) {
    return this.run(args, async (local) => {
      try {
        return await local.propose({
          project: args.project,
          branch: args.branch,
          commit: args.commit,
          by: args.by,
          ...(args.topic === undefined ? {} : { topic: args.topic }),
        });
      } finally {
        if (args.incomingRef !== undefined)
          await this.dropIncoming(local, args.project, args.incomingRef);
      }
    });
  }

  // The pushed ref only carried the commit's objects; the patchset ref keeps them from now on.
  private async dropIncoming(local: LocalConnection, project: string, ref: string): Promise<void> {
    try {
      await runGit(local.repositoryPath(project), ["update-ref", "-d", ref]);
    } catch (err) {
      this.context.log.warn({ err, project, ref }, "incoming ref not deleted");
    }
  }

  private local(name: string | undefined): LocalConnection {
    const connections = this.context.localConnections();
    if (name !== undefined) {
      const found = connections.get(name);
      if (found === undefined) {
        throw new ControlError(
          "not-found",
          `Local connection ${name} not found; the local connections are: ${[...connections.keys()].join(", ")}.`,
        );
      }
      return found;
    }
    const [only, another] = [...connections.values()];
    if (only === undefined)
      throw new ControlError("rejected", "The daemon has no local connection.");
    if (another !== undefined) {
      throw new ControlError(
        "invalid-arguments",
        `The daemon has several local connections (${[...connections.keys()].join(", ")}); name one with --connection.`,
      );
    }
    return only;
  }
}
