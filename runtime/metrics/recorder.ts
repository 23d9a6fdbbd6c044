// The metrics recorder: every metric record goes to its tenant-pipeline's log file, and, when
// configured, to statsd over UDP and to the Prometheus registry behind `/metrics`.
import type { Logger } from "pino";

import type { Metric } from "../../messages/effects.js";
import { MetricsLogs } from "./metrics-log.js";
import { PrometheusRegistry } from "./prometheus.js";
import { StatsdClient, type StatsdTarget } from "./statsd.js";

export interface MetricsRecorderOptions {
  /** Directory of the log files, `STATE/log/metrics`. */
  readonly directory: string;
  /** Statsd target, or null to send nothing. */
  readonly statsd: StatsdTarget | null;
  /** True to keep running values for the Prometheus text at `/metrics`. */
  readonly prometheus: boolean;
  readonly log: Logger;
}

/** Counts of records taken and dropped, for `stats`. */
export interface MetricsCounts {
  readonly recorded: number;
  readonly rejected: number;
}

/** The receiver of every `metric` effect of the daemon's pipelines. */
export class MetricsRecorder {
  readonly logs: MetricsLogs;
  private readonly statsd: StatsdClient | null;
  private readonly registry: PrometheusRegistry | null;
  private readonly log: Logger;
  private recorded = 0;
  private rejected = 0;

  constructor(options: MetricsRecorderOptions) {
    this.log = options.log.child({ component: "metrics" });
    this.logs = new MetricsLogs(options.directory);
    this.statsd = options.statsd === null ? null : new StatsdClient(options.statsd, this.log);
    this.registry = options.prometheus ? new PrometheusRegistry() : null;
  }

  /** True when the Prometheus text is kept. */
  get prometheusEnabled(): boolean {
    return this.registry !== null;
  }

  /** Records one metric; a record with a non-finite value is dropped with a warning. */
  record(metric: Metric): void {
    if (!Number.isFinite(metric.value)) {
      this.rejected += 1;
      this.log.warn(
        {
          tenant: metric.tenant,
          pipeline: metric.pipeline,
          name: metric.name,
          value: String(metric.value),
        },
        "metric with a non-finite value dropped",
      );
      return;
    }
    this.recorded += 1;
    this.logs.write(metric);
    this.statsd?.send(metric);
    this.registry?.record(metric);
  }

  /** Returns the Prometheus text exposition, or null when Prometheus is not configured. */
  prometheusText(): string | null {
    return this.registry === null ? null : this.registry.text();
  }

  counts(): MetricsCounts {
    return { recorded: this.recorded, rejected: this.rejected };
  }

  /** Flushes and closes the log files and the statsd socket. */
  async close(): Promise<void> {
    this.logs.close();
    await this.statsd?.close();
  }
}
