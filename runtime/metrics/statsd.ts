// A statsd client over UDP that sends each metric record to the one configured host and port.
import { createSocket, type Socket } from "node:dgram";
import { isIPv6 } from "node:net";
import type { Logger } from "pino";

import type { Metric } from "../../messages/effects.js";

/** The statsd server that packets go to. */
export interface StatsdTarget {
  readonly host: string;
  readonly port: number;
  /** Prepended to every name with a dot, as Zuul's statsd `prefix` option does. */
  readonly prefix?: string | null;
}

/** Send failures are logged for the first one and then once every this many. */
const LOG_EVERY_FAILURES = 100;

/** Formats one metric record as a statsd line: `name:value|c`, `|g` or `|ms`. */
export function statsdLines(metric: Metric, prefix: string | null = null): string[] {
  const name = prefix === null || prefix === "" ? metric.name : `${prefix}.${metric.name}`;
  switch (metric.metric) {
    case "counter":
      return [`${name}:${metric.value}|c`];
    case "timer":
      return [`${name}:${metric.value}|ms`];
    case "gauge":
      // A gauge value with a sign is read as a change, so a negative value is sent as a reset
      // to zero followed by the change.
      return metric.value < 0
        ? [`${name}:0|g`, `${name}:${metric.value}|g`]
        : [`${name}:${metric.value}|g`];
  }
}

/** A UDP socket bound to one statsd target. */
export class StatsdClient {
  private readonly socket: Socket;
  private failures = 0;

  constructor(
    private readonly target: StatsdTarget,
    private readonly log: Logger,
  ) {
    if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) {
      throw new RangeError(
        `metrics.statsd.port must be an integer from 1 to 65535, got ${target.port}`,
      );
    }
    this.socket = createSocket(isIPv6(target.host) ? "udp6" : "udp4");
    this.socket.on("error", (err) => {
      this.failed(err);
    });
    this.socket.unref();
  }

  /** Sends one metric record as one packet. */
  send(metric: Metric): void {
    const packet = Buffer.from(statsdLines(metric, this.target.prefix ?? null).join("\n"));
    this.socket.send(packet, this.target.port, this.target.host, (err) => {
      if (err !== null) this.failed(err);
    });
  }

  /** Closes the socket; packets already handed to the system are still sent. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.socket.close(() => {
        resolve();
      });
    });
  }

  private failed(err: Error): void {
    this.failures += 1;
    if (this.failures === 1 || this.failures % LOG_EVERY_FAILURES === 0) {
      this.log.warn(
        { err, host: this.target.host, port: this.target.port, failures: this.failures },
        "statsd send failed",
      );
    }
  }
}
