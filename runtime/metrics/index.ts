// Metrics: per tenant-pipeline log files, statsd over UDP and the Prometheus text exposition.
export * from "./metrics-log.js";
export * from "./prometheus.js";
export * from "./statsd.js";
export * from "./recorder.js";
