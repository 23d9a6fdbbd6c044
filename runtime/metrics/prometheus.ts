// A Prometheus text exposition of the metrics records. Zuul's statsd names carry tenant,
// pipeline, project and job inside the name; here they become labels of a fixed metric name, so
// `zuul.tenant.T.pipeline.P.current_changes` is `zuul_pipeline_current_changes{tenant="T",...}`.
// NOTE: a branch name with a slash arrives as several dot-separated parts. This split cannot tell
// them from the project name's parts, so part of such a branch shows up in `project`.
import { BUILD_RESULTS } from "../../messages/build.js";
import type { Metric } from "../../messages/effects.js";

/** A statsd name split into a Prometheus base name and labels. */
export interface PrometheusSeries {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The statsd name pattern it came from, for the HELP line. */
  readonly pattern: string;
}

interface Sample {
  readonly series: PrometheusSeries;
  readonly kind: Metric["metric"];
  value: number;
  count: number;
}

/** Splits a Zuul statsd name into a Prometheus series, using the metric's tenant and pipeline. */
export function seriesOf(metric: Metric): PrometheusSeries {
  const segments = metric.name.split(".");
  const base = { tenant: metric.tenant, pipeline: metric.pipeline };
  const isPipelineName =
    segments[0] === "zuul" && segments[1] === "tenant" && segments[3] === "pipeline";
  if (!isPipelineName || segments.length < 6) {
    return { name: sanitizeName(metric.name), labels: base, pattern: metric.name };
  }
  const rest = segments.slice(5);
  if (rest[0] !== "project" || rest.length < 5) {
    return {
      name: sanitizeName(`zuul_pipeline_${rest.join("_")}`),
      labels: base,
      pattern: `zuul.tenant.T.pipeline.P.${rest.join(".")}`,
    };
  }
  // project.HOST.PROJECT....BRANCH.job.JOB.RESULT, or project.HOST.PROJECT....BRANCH.METRIC
  const jobIndex = rest.length - 3;
  if (rest.length >= 7 && rest[jobIndex] === "job") {
    const labels = {
      ...base,
      hostname: rest[1] ?? "",
      project: rest.slice(2, jobIndex - 1).join("."),
      branch: rest[jobIndex - 1] ?? "",
      job: rest[jobIndex + 1] ?? "",
    };
    const last = rest[jobIndex + 2] ?? "";
    // The last part is a build result (`job.J.SUCCESS`) or a metric of the job (`job.J.wait_time`).
    if ((BUILD_RESULTS as readonly string[]).includes(last)) {
      return {
        name: "zuul_pipeline_project_job",
        labels: { ...labels, result: last },
        pattern: "zuul.tenant.T.pipeline.P.project.H.PROJECT.BRANCH.job.J.RESULT",
      };
    }
    return {
      name: sanitizeName(`zuul_pipeline_project_job_${last}`),
      labels,
      pattern: `zuul.tenant.T.pipeline.P.project.H.PROJECT.BRANCH.job.J.${last}`,
    };
  }
  const last = rest.length - 1;
  return {
    name: sanitizeName(`zuul_pipeline_project_${rest[last] ?? ""}`),
    labels: {
      ...base,
      hostname: rest[1] ?? "",
      project: rest.slice(2, last - 1).join("."),
      branch: rest[last - 1] ?? "",
    },
    pattern: `zuul.tenant.T.pipeline.P.project.H.PROJECT.BRANCH.${rest[last] ?? ""}`,
  };
}

/** Running values of every series: last value of gauges, sums of counters, sum and count of timers. */
export class PrometheusRegistry {
  private readonly samples = new Map<string, Sample>();

  /** Adds one metric record. */
  record(metric: Metric): void {
    const series = seriesOf(metric);
    const key = `${metric.metric} ${series.name} ${JSON.stringify(series.labels)}`;
    let sample = this.samples.get(key);
    if (sample === undefined) {
      sample = { series, kind: metric.metric, value: 0, count: 0 };
      this.samples.set(key, sample);
    }
    if (metric.metric === "gauge") sample.value = metric.value;
    else sample.value += metric.value;
    sample.count += 1;
  }

  /** Returns every series in the text exposition format, version 0.0.4. */
  text(): string {
    const families = new Map<string, Sample[]>();
    for (const sample of this.samples.values()) {
      const name = familyName(sample);
      const family = families.get(name) ?? [];
      family.push(sample);
      families.set(name, family);
    }
    const lines: string[] = [];
    for (const name of [...families.keys()].sort()) {
      const family = families.get(name) ?? [];
      const first = family[0];
      if (first === undefined) continue;
      lines.push(`# HELP ${name} statsd ${first.series.pattern} (${first.kind})`);
      lines.push(`# TYPE ${name} ${prometheusType(first.kind)}`);
      for (const sample of family.sort(byLabels)) lines.push(...sampleLines(name, sample));
    }
    return lines.length === 0 ? "" : lines.join("\n") + "\n";
  }
}

function familyName(sample: Sample): string {
  switch (sample.kind) {
    case "gauge":
      return sample.series.name;
    case "counter":
      return `${sample.series.name}_total`;
    case "timer":
      return `${sample.series.name}_seconds`;
  }
}

function prometheusType(kind: Metric["metric"]): string {
  switch (kind) {
    case "gauge":
      return "gauge";
    case "counter":
      return "counter";
    case "timer":
      return "summary";
  }
}

function sampleLines(name: string, sample: Sample): string[] {
  const labels = formatLabels(sample.series.labels);
  if (sample.kind !== "timer") return [`${name}${labels} ${formatNumber(sample.value)}`];
  // Timers arrive in milliseconds; Prometheus expects seconds.
  return [
    `${name}_sum${labels} ${formatNumber(sample.value / 1000)}`,
    `${name}_count${labels} ${sample.count}`,
  ];
}

function formatLabels(labels: Readonly<Record<string, string>>): string {
  const parts = Object.entries(labels).map(([key, value]) => `${key}="${escapeLabel(value)}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function sanitizeName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_:]/g, "_");
  return /^[a-zA-Z_:]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

function byLabels(a: Sample, b: Sample): number {
  const left = JSON.stringify(a.series.labels);
  const right = JSON.stringify(b.series.labels);
  return left.localeCompare(right);
}
