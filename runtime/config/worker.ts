// The piscina task that builds a layout in a worker thread. Its parse cache lives as long as the
// thread, so reloads of an unchanged tenant re-parse nothing.
import { isMainThread } from "node:worker_threads";

import { assembleLayout, type AssembleResult } from "./assemble.js";
import { ParseCache } from "./cache.js";
import type { LayoutInput } from "./layout-input.js";

if (isMainThread) {
  throw new Error(
    "runtime/config/worker.ts is a piscina task and must not load on the main thread",
  );
}

const cache = new ParseCache();

export default function buildInWorker(input: LayoutInput): AssembleResult {
  return assembleLayout(input, cache);
}
