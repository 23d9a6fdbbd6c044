// The executor behind the supervisor's ExecutorService interface.
import type { BuildCancel, BuildLaunch } from "../../messages/effects.js";
import type { BuildProgress, ExecutorService } from "../supervisor/services.js";
import type { Executor } from "./executor.js";

/** Adapts an Executor to the ExecutorService the supervisor's effect router calls. */
export function executorServiceOf(executor: Executor): ExecutorService {
  return {
    launch(launch: BuildLaunch, progress: (progress: BuildProgress) => void): void {
      void executor.launch(launch, (event) => {
        switch (event.type) {
          case "build-started":
            progress({ kind: "build-started", body: event.body });
            return;
          case "build-completed":
            progress({ kind: "build-completed", body: event.body });
            return;
          case "workspace-prepared":
            return;
        }
      });
    },
    cancel(cancel: BuildCancel): void {
      executor.cancel(cancel.build);
    },
  };
}
