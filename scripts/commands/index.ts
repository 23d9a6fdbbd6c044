// Every subcommand of the `gatehouse` CLI. Each module exports one `register(program)` function.
import type { Command } from "commander";

import { register as registerSimulate } from "./simulate.js";
import { register as registerStatus } from "./status.js";
import { register as registerStats } from "./stats.js";
import { register as registerInfo } from "./info.js";
import { register as registerEnqueue } from "./enqueue.js";
import { register as registerEnqueueRef } from "./enqueue-ref.js";
import { register as registerDequeue } from "./dequeue.js";
import { register as registerPromote } from "./promote.js";
import { register as registerReconfigure } from "./reconfigure.js";
import { register as registerPause } from "./pause.js";
import { register as registerResume } from "./resume.js";
import { register as registerStop } from "./stop.js";
import { register as registerPropose } from "./propose.js";
import { register as registerReview } from "./review.js";
import { register as registerAbandon } from "./abandon.js";
import { register as registerRestore } from "./restore.js";
import { register as registerRecheck } from "./recheck.js";
import { register as registerShow } from "./show.js";
import { register as registerPaths } from "./paths.js";
import { register as registerDaemon } from "./daemon.js";
import { register as registerValidateConfig } from "./validate-config.js";

type Register = (program: Command) => void;

const registrations: Register[] = [
  registerSimulate,
  registerValidateConfig,
  registerStatus,
  registerStats,
  registerInfo,
  registerEnqueue,
  registerEnqueueRef,
  registerDequeue,
  registerPromote,
  registerReconfigure,
  registerPause,
  registerResume,
  registerStop,
  registerPropose,
  registerReview,
  registerAbandon,
  registerRestore,
  registerRecheck,
  registerShow,
  registerPaths,
  registerDaemon,
];

export function registerCommands(program: Command): void {
  for (const register of registrations) register(program);
}
