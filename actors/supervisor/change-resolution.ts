// Turns connection events into trigger envelopes: the change or ref is looked up with its source
// once per event, with every related change, so pipeline actors get complete records and never
// call a source themselves.
import { randomUUID } from "node:crypto";

import type { ChangeKey, ChangeRecord, RefRecord } from "../../messages/change.js";
import { pipelineAddress, type Envelope, type Lane } from "../../messages/envelope.js";
import type { TriggerBody, TriggerKind, TriggerMessage } from "../../messages/trigger.js";

import type { Connection, ConnectionEvent } from "./services.js";

/** A resolved event, ready to be addressed to pipelines. */
export interface ResolvedEvent {
  readonly kind: TriggerKind;
  readonly body: Omit<TriggerBody, "tenant"> & Record<string, unknown>;
}

/** The connection gatehouse itself reports through (`parent-change-enqueued` and so on). */
export const ZUUL_CONNECTION = "zuul";

/** Builds an envelope from the supervisor to one actor. */
export function makeEnvelope<K extends string, B>(
  kind: K,
  lane: Lane,
  to: string,
  at: number,
  body: B,
): Envelope<K, B> {
  return { kind, id: randomUUID(), lane, from: "supervisor", to, at, body };
}

/** Splits a `CONNECTION:NUMBER,PATCHSET` key; null for a key of another shape. */
export function parseChangeKey(
  key: ChangeKey,
): { connection: string; number: number; patchset: number } | null {
  const match = /^(.*):(\d+),(\d+)$/.exec(key);
  if (match === null) return null;
  const [, connection, number, patchset] = match;
  if (connection === undefined || number === undefined || patchset === undefined) return null;
  return { connection, number: Number(number), patchset: Number(patchset) };
}

export class ChangeResolver {
  constructor(private readonly connections: ReadonlyMap<string, Connection>) {}

  /** Returns the connection named `name`, or throws an error naming the known ones. */
  connection(name: string): Connection {
    const connection = this.connections.get(name);
    if (connection === undefined) {
      const known = [...this.connections.keys()].join(", ");
      throw new Error(`unknown connection "${name}"; the configured connections are: ${known}`);
    }
    return connection;
  }

  /** Looks up a change and its related records. */
  async resolveChange(
    connectionName: string,
    number: number,
    patchset?: number,
  ): Promise<{ change: ChangeRecord; related: ChangeRecord[] }> {
    const source = this.connection(connectionName).source;
    const change = await source.getChange(number, patchset);
    const related = await source.getRelated(change);
    return { change, related };
  }

  /** Looks up the record of a change key, or null when the key is not of a known connection. */
  async resolveKey(key: ChangeKey): Promise<ChangeRecord | null> {
    const parsed = parseChangeKey(key);
    if (parsed === null || !this.connections.has(parsed.connection)) return null;
    return this.connection(parsed.connection).source.getChange(parsed.number, parsed.patchset);
  }

  /** Looks up a ref's record at its current revision. */
  async resolveRef(connectionName: string, project: string, ref: string): Promise<RefRecord> {
    return this.connection(connectionName).source.getRef(project, ref);
  }

  /** Resolves one connection event into a trigger kind and body (without the tenant). */
  async resolveEvent(event: ConnectionEvent): Promise<ResolvedEvent> {
    const common = { account: event.account, eventTime: event.eventTime };
    if (event.type === "ref-updated") {
      const current = await this.resolveRef(event.connection, event.project, event.ref);
      const subject: RefRecord = {
        ...current,
        oldrev: event.oldrev,
        newrev: event.newrev,
        ...(event.name === undefined ? {} : { name: event.name }),
      };
      return {
        kind: "ref-updated",
        body: { connection: event.connection, subject, related: [], ...common },
      };
    }
    const { change, related } = await this.resolveChange(
      event.connection,
      event.number,
      event.patchset,
    );
    const body = { connection: event.connection, subject: change, related, ...common };
    if (event.type === "comment-added") {
      return {
        kind: "comment-added",
        body: { ...body, comment: event.comment, approvals: event.approvals },
      };
    }
    return { kind: event.type, body };
  }
}

/** Addresses a resolved event to each named pipeline of one tenant. */
export function addressTrigger(
  resolved: ResolvedEvent,
  tenant: string,
  pipelines: readonly string[],
  at: number,
): TriggerMessage[] {
  return pipelines.map(
    (pipeline) =>
      makeEnvelope(resolved.kind, "trigger", pipelineAddress(tenant, pipeline), at, {
        ...resolved.body,
        tenant,
      }) as TriggerMessage,
  );
}
