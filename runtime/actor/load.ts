// Loads an actor definition by module URL and export name, as a worker thread must.
import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";

import type { AnyActorDefinition } from "./definition.js";

/** Turns a `URL`, a `file:` URL string or an absolute path into the string `import()` takes. */
export function moduleSpecifier(module: string | URL): string {
  if (module instanceof URL) return module.href;
  return isAbsolute(module) ? pathToFileURL(module).href : module;
}

export async function loadDefinition(
  module: string,
  exportName: string,
): Promise<AnyActorDefinition> {
  const namespace = (await import(module)) as Record<string, unknown>;
  const candidate = namespace[exportName];
  if (!isDefinition(candidate)) {
    throw new TypeError(
      `actor module ${module} has no export "${exportName}" with initialState and handle ` +
        `functions; export an ActorDefinition under that name`,
    );
  }
  return candidate;
}

function isDefinition(value: unknown): value is AnyActorDefinition {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record["initialState"] === "function" && typeof record["handle"] === "function";
}
