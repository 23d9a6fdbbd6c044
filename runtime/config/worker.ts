// The piscina task that builds layouts in a worker thread. Its parse cache lives as long as the
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

/** A task for the loader's worker thread. */
export type ConfigTask =
  { readonly kind: "build"; readonly input: LayoutInput } | { readonly kind: "clear-cache" };

const cache = new ParseCache();

/** Builds a layout, leaving freezing to the main thread since posting the result copies it. */
export default function runConfigTask(task: ConfigTask): AssembleResult | null {
  switch (task.kind) {
    case "build":
      return assembleLayout(task.input, cache, { freeze: false });
    case "clear-cache":
      cache.clear();
      return null;
  }
}
