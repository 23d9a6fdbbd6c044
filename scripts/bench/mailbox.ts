// `npm run bench -- mailbox [MESSAGES]`: round trips supervisor -> actor -> supervisor through
// the runtime (worker placement, one effect per message), against a raw MessagePort echo to a
// worker in the same run. Both keep the same number of messages in flight. Latency is measured
// apart, one message in flight at a time, so it shows the cost of a round trip, not queueing.
// The actor runs with the default supervision settings (batches of 64, two batches in flight).
import { Worker } from "node:worker_threads";

import { pino } from "pino";

import type { Envelope } from "../../messages/envelope.js";
import { ActorSystem } from "../../runtime/actor/index.js";
import type { EchoEffect } from "./lib-echo-actor.js";
import { printTable, writeResults } from "./lib-results.js";

const IN_FLIGHT = 1_000;
const LATENCY_SAMPLES = 2_000;
const ROUNDS = 3;
const WARM_UP = 5_000;

function makeEnvelope(index: number): Envelope {
  return {
    kind: "build-completed",
    id: `m-${index}`,
    lane: "result",
    from: "bench",
    to: "echo",
    at: index,
    body: { tenant: "t", pipeline: "p", item: `i-${index % 100}`, build: `b-${index}` },
  };
}

/** Sends `total` messages with `IN_FLIGHT` outstanding and resolves with messages per second. */
function closedLoop(
  total: number,
  send: (index: number) => void,
  onReply: (handler: () => void) => void,
): Promise<number> {
  return new Promise((resolve) => {
    let sent = 0;
    let received = 0;
    const started = process.hrtime.bigint();
    onReply(() => {
      received++;
      if (sent < total) send(sent++);
      if (received === total) {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        resolve(total / seconds);
      }
    });
    while (sent < Math.min(IN_FLIGHT, total)) send(sent++);
  });
}

/** A way to run one closed loop of `count` round trips, and to release what it holds. */
interface Echo {
  run(count: number): Promise<number>;
  close(): Promise<void>;
}

function startRawEcho(): Echo {
  const worker = new Worker(
    `const { parentPort } = require("node:worker_threads");
     parentPort.on("message", (message) => parentPort.postMessage(message));`,
    { eval: true },
  );
  let reply: () => void = () => undefined;
  worker.on("message", () => {
    reply();
  });
  return {
    run: (count) =>
      closedLoop(
        count,
        (index) => {
          worker.postMessage(makeEnvelope(index));
        },
        (handler) => (reply = handler),
      ),
    close: async () => {
      await worker.terminate();
    },
  };
}

async function startRuntimeEcho(): Promise<Echo & { latencyP99Us(): Promise<number> }> {
  let reply: () => void = () => undefined;
  const system = new ActorSystem<EchoEffect>({
    logger: pino({ level: "warn" }),
    onEffect: () => {
      reply();
    },
  });
  const actor = await system.spawn({
    address: "echo",
    module: new URL("./lib-echo-actor.js", import.meta.url),
    exportName: "echoActor",
    placement: "worker",
  });
  return {
    run: (count) =>
      closedLoop(
        count,
        (index) => {
          actor.send(makeEnvelope(index));
        },
        (handler) => (reply = handler),
      ),
    latencyP99Us: async () => {
      const latencies: number[] = [];
      for (let index = 0; index < LATENCY_SAMPLES; index++) {
        const started = process.hrtime.bigint();
        await new Promise<void>((resolve) => {
          reply = resolve;
          actor.send(makeEnvelope(index));
        });
        latencies.push(Number(process.hrtime.bigint() - started) / 1e3);
      }
      latencies.sort((a, b) => a - b);
      return latencies[Math.floor(latencies.length * 0.99)] ?? Number.NaN;
    },
    close: () => system.shutdown(),
  };
}

export async function main(args: string[]): Promise<void> {
  const total = Number(args[0] ?? 100_000);
  if (!Number.isSafeInteger(total) || total <= 0) {
    throw new RangeError(`MESSAGES must be a positive integer, got "${args[0] ?? ""}"`);
  }
  const raw = startRawEcho();
  const runtime = await startRuntimeEcho();
  await raw.run(WARM_UP);
  await runtime.run(WARM_UP);
  // Rounds alternate so both sides run under the same background load. The best round of each
  // counts, because other processes on the machine can only slow a round down.
  let bestRaw = 0;
  let bestRuntime = 0;
  for (let round = 0; round < ROUNDS; round++) {
    bestRaw = Math.max(bestRaw, await raw.run(total));
    bestRuntime = Math.max(bestRuntime, await runtime.run(total));
  }
  const p99Us = await runtime.latencyP99Us();
  await Promise.all([raw.close(), runtime.close()]);

  const figures = {
    runtime_msgs_per_s: Math.round(bestRuntime),
    raw_msgs_per_s: Math.round(bestRaw),
    ratio: Number((bestRuntime / bestRaw).toFixed(3)),
    p99_latency_us: Math.round(p99Us),
    messages: total,
    in_flight: IN_FLIGHT,
    rounds: ROUNDS,
  };
  printTable(Object.entries(figures));
  const path = writeResults("mailbox", figures);
  process.stdout.write(`wrote ${path}\n`);
}
