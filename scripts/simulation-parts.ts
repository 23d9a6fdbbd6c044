// The real parts `gatehouse simulate`, the scenario suite and the gate benchmark run on.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { Logger } from "pino";

import { LocalConnection } from "../actors/connections/local/connection.js";
import { Merger } from "../actors/merger/merger.js";
import { GitReview } from "../actors/simulation/git-review.js";
import { REVIEW_CONNECTION } from "../actors/simulation/review.js";
import type { SimulationParts } from "../actors/simulation/runner.js";
import { ConfigLayouts } from "../actors/supervisor/config-layouts.js";
import { MutexClient } from "../actors/supervisor/mutex-client.js";
import { createPipelineHost } from "../actors/supervisor/pipeline-host.js";
import type { PlacementKind } from "../runtime/actor/index.js";
import { Store } from "../runtime/store/store.js";

/**
 * Builds the real parts of a simulation: a local review connection named `review` and the git merger
 * over bare repositories in a temporary directory, the supervisor with the pipeline and mutex
 * actors, and the configuration loader.
 */
export function simulationParts(options: {
  log: Logger;
  placement: PlacementKind;
}): SimulationParts {
  const { log, placement } = options;
  return {
    async createReview(clock) {
      const directory = await mkdtemp(join(tmpdir(), "gatehouse-simulate-"));
      const store = new Store(":memory:");
      const now = (): number => clock.now();
      let merger: Merger | null = null;
      const local = new LocalConnection({
        name: REVIEW_CONNECTION,
        root: join(directory, "repos"),
        store,
        log,
        clock: now,
        pollIntervalMs: 0,
        testedRepository: (project) =>
          merger === null ? "" : merger.repositoryPath(REVIEW_CONNECTION, project),
      });
      merger = new Merger({
        stateDir: join(directory, "state"),
        sources: (_connection, project) => local.repositoryPath(project),
        workers: 1,
        log,
        clock: now,
        defaultConnection: REVIEW_CONNECTION,
      });
      const gitMerger = merger;
      return new GitReview({
        local,
        merger: gitMerger,
        now,
        close: async () => {
          local.close();
          await gitMerger.close();
          store.db.close();
          await rm(directory, { recursive: true, force: true });
        },
      });
    },
    createHost(clock) {
      const host = createPipelineHost(log, placement);
      const mutex = new MutexClient(
        (envelope) => {
          host.sendToMutex(envelope);
        },
        () => clock.now(),
      );
      host.setMutexHandler((effect) => {
        mutex.onEffect(effect);
      });
      return { host, mutex };
    },
    createTenantLayouts(tenantConfig, tenant, reader, clock) {
      return ConfigLayouts.fromText(tenantConfig, "simulation tenant config", tenant, {
        reader,
        connections: { [REVIEW_CONNECTION]: "local" },
        placement: "inline",
        now: () => clock.now(),
      });
    },
  };
}
