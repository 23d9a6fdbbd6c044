// The mutex reducer: job mutexes and tenant semaphores with a capacity (`max`), granted all at
// once per job, first come first served per semaphore.
//
// A waiter is granted only when every semaphore it needs has capacity and no earlier waiter still
// waits for one of them, so a job needing two busy semaphores is not starved by later jobs that
// need only one. A grant whose holder's build has already ended is reclaimed when capacity is
// short, so a lost release cannot block a semaphore forever.
import { enablePatches, produceWithPatches, type Draft, type Patch } from "immer";
import type { Logger } from "pino";

import { assertNever } from "../../messages/envelope.js";
import type {
  HolderCompletedBody,
  MutexEffect,
  MutexMessage,
  SemaphoreSyncBody,
} from "../../messages/mutex.js";
import type { SemaphoreAcquire, SemaphoreRelease } from "../../messages/effects.js";
import { claimKey, type Claim, type Hold, type MutexState } from "./state.js";

enablePatches();

/** Context of the mutex reducer: the clock, a logger and the effect sink. */
export interface MutexContext {
  readonly now: number;
  readonly log: Logger;
  emit(effect: MutexEffect): void;
}

export function handleMutexMessage(
  draft: Draft<MutexState>,
  message: MutexMessage,
  context: MutexContext,
): void {
  switch (message.kind) {
    case "semaphore-acquire":
      onAcquire(draft, message.body, context);
      break;
    case "semaphore-release":
      onRelease(draft, message.body, context);
      break;
    case "holder-completed":
      onHolderCompleted(draft, message.body);
      break;
    case "semaphore-sync":
      onSync(draft, message.body, context);
      break;
    default:
      assertNever(message, "Unknown mutex message kind");
  }
  grantWaiters(draft, context);
}

function onAcquire(draft: Draft<MutexState>, body: SemaphoreAcquire, context: MutexContext): void {
  const key = claimKey(body);
  const held = draft.holds[key];
  if (held !== undefined) {
    // The holder requests again (a retried request), so it keeps the grant and is granted again.
    context.emit(grantOf(held));
    return;
  }
  if (draft.waiters.some((waiter) => waiter.key === key)) return;
  draft.waiters.push({
    key,
    tenant: body.tenant,
    pipeline: body.pipeline,
    item: body.item,
    job: body.job,
    semaphores: body.semaphores.map((semaphore) => ({ ...semaphore })),
    build: body.build ?? null,
    since: context.now,
  });
}

function onRelease(draft: Draft<MutexState>, body: SemaphoreRelease, context: MutexContext): void {
  const key = claimKey(body);
  if (draft.holds[key] !== undefined) {
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
    delete draft.holds[key];
    return;
  }
  const index = draft.waiters.findIndex((waiter) => waiter.key === key);
  if (index >= 0) {
    draft.waiters.splice(index, 1);
    return;
  }
  context.log.debug({ holder: key }, "release of a semaphore that is not held ignored");
}

function onHolderCompleted(draft: Draft<MutexState>, body: HolderCompletedBody): void {
  const hold = draft.holds[claimKey(body)];
  if (hold !== undefined && hold.build !== null && hold.build === body.build) hold.completed = true;
}

function onSync(draft: Draft<MutexState>, body: SemaphoreSyncBody, context: MutexContext): void {
  const owner = (claim: Claim): boolean =>
    claim.tenant === body.tenant && claim.pipeline === body.pipeline;
  const toClaim = (entry: SemaphoreSyncBody["holds"][number]): Claim => ({
    key: claimKey({
      tenant: body.tenant,
      pipeline: body.pipeline,
      item: entry.item,
      job: entry.job,
    }),
    tenant: body.tenant,
    pipeline: body.pipeline,
    item: entry.item,
    job: entry.job,
    semaphores: entry.semaphores.map((semaphore) => ({ ...semaphore })),
    build: entry.build ?? null,
    since: context.now,
  });
  const holds = new Map(body.holds.map((entry) => [toClaim(entry).key, toClaim(entry)]));
  for (const hold of Object.values(draft.holds)) {
    if (owner(hold) && !holds.has(hold.key)) {
      context.log.info({ holder: hold.key }, "semaphore hold released by re-sync");
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
      delete draft.holds[hold.key];
    }
  }
  for (const [key, claim] of holds) {
    // A hold the pipeline believes it has stays granted, even above capacity: its build runs.
    draft.holds[key] ??= { ...claim, completed: false } as Draft<Hold>;
  }
  const waiting = new Map(body.waiting.map((entry) => [toClaim(entry).key, toClaim(entry)]));
  draft.waiters = draft.waiters.filter((waiter) => !owner(waiter) || waiting.has(waiter.key));
  for (const [key, claim] of waiting) {
    if (draft.holds[key] === undefined && !draft.waiters.some((waiter) => waiter.key === key)) {
      draft.waiters.push(claim as Draft<Claim>);
    }
  }
}

function semaphoreId(tenant: string, name: string): string {
  return `${tenant}/${name}`;
}

/** Holders of each semaphore, by `tenant/name`. */
function usage(draft: Draft<MutexState>): Map<string, Hold[]> {
  const used = new Map<string, Hold[]>();
  for (const hold of Object.values(draft.holds) as Hold[]) {
    for (const semaphore of hold.semaphores) {
      const id = semaphoreId(hold.tenant, semaphore.name);
      const list = used.get(id);
      if (list === undefined) used.set(id, [hold]);
      else list.push(hold);
    }
  }
  return used;
}

function hasCapacity(used: Map<string, Hold[]>, claim: Claim): boolean {
  return claim.semaphores.every(
    (semaphore) =>
      (used.get(semaphoreId(claim.tenant, semaphore.name))?.length ?? 0) < semaphore.max,
  );
}

/** Drops completed holds on the claim's full semaphores; returns true when any was dropped. */
function reclaim(
  draft: Draft<MutexState>,
  used: Map<string, Hold[]>,
  claim: Claim,
  context: MutexContext,
): boolean {
  let reclaimed = false;
  for (const semaphore of claim.semaphores) {
    const holders = used.get(semaphoreId(claim.tenant, semaphore.name)) ?? [];
    if (holders.length < semaphore.max) continue;
    for (const hold of holders.filter((candidate) => candidate.completed)) {
      context.log.warn(
        { semaphore: semaphore.name, holder: hold.key },
        "semaphore reclaimed from a holder whose build already ended",
      );
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
      delete draft.holds[hold.key];
      reclaimed = true;
    }
  }
  return reclaimed;
}

function grantWaiters(draft: Draft<MutexState>, context: MutexContext): void {
  if (draft.waiters.length === 0) return;
  let used = usage(draft);
  const blocked = new Set<string>();
  const remaining: Claim[] = [];
  for (const waiter of draft.waiters as Claim[]) {
    const ids = waiter.semaphores.map((semaphore) => semaphoreId(waiter.tenant, semaphore.name));
    const free = ids.every((id) => !blocked.has(id));
    if (free && !hasCapacity(used, waiter) && reclaim(draft, used, waiter, context)) {
      used = usage(draft);
    }
    if (free && hasCapacity(used, waiter)) {
      const hold: Hold = { ...waiter, since: context.now, completed: false };
      draft.holds[waiter.key] = hold as Draft<Hold>;
      for (const id of ids) used.set(id, [...(used.get(id) ?? []), hold]);
      context.emit(grantOf(hold));
      continue;
    }
    for (const id of ids) blocked.add(id);
    remaining.push(waiter);
  }
  if (remaining.length !== draft.waiters.length) draft.waiters = remaining as Draft<Claim>[];
}

function grantOf(hold: Readonly<Hold>): MutexEffect {
  return {
    type: "semaphore-granted",
    tenant: hold.tenant,
    pipeline: hold.pipeline,
    item: hold.item,
    job: hold.job,
    semaphores: hold.semaphores.map((semaphore) => semaphore.name),
  };
}

export interface MutexReduction {
  readonly state: MutexState;
  readonly effects: readonly MutexEffect[];
  readonly patches: readonly Patch[];
}

/** Handles one message as a pure function. */
export function reduceMutex(
  state: MutexState,
  message: MutexMessage,
  context: Omit<MutexContext, "emit">,
): MutexReduction {
  const effects: MutexEffect[] = [];
  const [next, patches] = produceWithPatches(state, (draft) => {
    handleMutexMessage(draft, message, { ...context, emit: (effect) => effects.push(effect) });
  });
  return { state: next, effects, patches };
}
