// The metrics logs: one pino JSON-lines file per tenant-pipeline, at
// METRICS_DIR/TENANT/PIPELINE.log, with one line per metric record. Lines are written
// synchronously, so a crash of the daemon loses none of them.
import { join } from "node:path";
import { pino, type Logger } from "pino";

import type { Metric } from "../../messages/effects.js";

interface OpenLog {
  readonly logger: Logger;
  readonly destination: pino.DestinationStream & { flushSync(): void; end(): void };
}

/** The open metrics log files, created on the first metric of each tenant-pipeline. */
export class MetricsLogs {
  private readonly logs = new Map<string, OpenLog>();

  constructor(private readonly directory: string) {}

  /** Path of the log file of one tenant-pipeline. */
  pathOf(tenant: string, pipeline: string): string {
    return join(this.directory, fileComponent(tenant), `${fileComponent(pipeline)}.log`);
  }

  /** Appends one metric line to its tenant-pipeline's file. */
  write(metric: Metric): void {
    const log = this.open(metric.tenant, metric.pipeline);
    log.logger.info(
      { name: metric.name, metric: metric.metric, value: metric.value, unit: metric.unit },
      "metric",
    );
  }

  /** Writes buffered lines of every file to disk. */
  flush(): void {
    for (const log of this.logs.values()) log.destination.flushSync();
  }

  /** Flushes and closes every file. */
  close(): void {
    for (const log of this.logs.values()) {
      log.destination.flushSync();
      log.destination.end();
    }
    this.logs.clear();
  }

  private open(tenant: string, pipeline: string): OpenLog {
    const key = `${tenant}\u0000${pipeline}`;
    const existing = this.logs.get(key);
    if (existing !== undefined) return existing;
    const destination = pino.destination({
      dest: this.pathOf(tenant, pipeline),
      mkdir: true,
      sync: true,
    }) as OpenLog["destination"];
    const logger = pino({ base: { tenant, pipeline } }, destination);
    const log = { logger, destination };
    this.logs.set(key, log);
    return log;
  }
}

// Tenant and pipeline names become path components: percent-encode anything that could leave
// the directory or hide the file (a slash, a leading dot).
function fileComponent(name: string): string {
  const encoded = encodeURIComponent(name).replace(/\*/g, "%2A");
  return encoded.startsWith(".") ? `%2E${encoded.slice(1)}` : encoded;
}
