// Job graphs of build sets: freezing them through the config loader (cached per layout), the
// content keys under which the pipeline state stores them, which jobs may start, and how a failed
// dependency skips its dependents.
import { createHash } from "node:crypto";

import type { FrozenJob, Layout } from "../../messages/layout.js";
import { freezeJobGraph, type FreezeResult } from "../../runtime/config/freeze.js";
import type { BuildSet, JobRun } from "./state.js";

/** Freeze results by layout, then by project, branch and (where matchers need them) files. */
const graphCache = new WeakMap<Layout, Map<string, FreezeResult>>();
/** Whether a layout has any `files` or `irrelevant-files` matcher, by layout. */
const usesFileMatchers = new WeakMap<Layout, boolean>();

/** Caps one layout's cache so a long-lived layout with many distinct file lists stays bounded. */
const MAX_CACHED_GRAPHS = 10_000;

/**
 * Freezes the job graph of one item. Items of the same project and branch share one frozen graph
 * (and its memory) unless the layout has file matchers, which make the graph depend on the files.
 */
export function freezeGraph(
  layout: Layout,
  pipeline: string,
  project: string,
  branch: string,
  files: readonly string[] | null,
): FreezeResult {
  let cache = graphCache.get(layout);
  if (cache === undefined) {
    cache = new Map();
    graphCache.set(layout, cache);
  }
  const fileKey = hasFileMatchers(layout) ? JSON.stringify(files) : "*";
  const key = `${pipeline}\n${project}\n${branch}\n${fileKey}`;
  let result = cache.get(key);
  if (result === undefined) {
    result = freezeJobGraph(layout, { project, branch, pipeline, files });
    if (cache.size >= MAX_CACHED_GRAPHS) cache.clear();
    cache.set(key, result);
  }
  return result;
}

function hasFileMatchers(layout: Layout): boolean {
  let known = usesFileMatchers.get(layout);
  if (known === undefined) {
    known = scanForFileMatchers(layout);
    usesFileMatchers.set(layout, known);
  }
  return known;
}

function scanForFileMatchers(layout: Layout): boolean {
  const setsMatchers = (attributes: { files?: unknown; irrelevantFiles?: unknown }): boolean =>
    attributes.files !== undefined || attributes.irrelevantFiles !== undefined;
  for (const variants of Object.values(layout.jobs)) {
    if (variants.some((variant) => setsMatchers(variant.attributes))) return true;
  }
  for (const project of Object.values(layout.projectConfigs)) {
    for (const pipeline of Object.values(project.pipelines)) {
      if (pipeline.jobs.some((entry) => setsMatchers(entry.attributes))) return true;
    }
  }
  return false;
}

/** Content keys of frozen graphs, by graph, so each distinct graph is hashed once. */
const graphKeys = new WeakMap<readonly FrozenJob[], string>();

/**
 * Returns the content key of a frozen graph: the SHA-256 of its JSON text. Equal graphs get the
 * same key across layouts and actor restarts, so the state stores each distinct graph once.
 * NOTE: JSON does not tell `undefined` from a missing field, or -0 from 0. Frozen jobs are plain
 * data where neither difference changes how the pipeline treats a job.
 */
export function graphKey(jobs: readonly FrozenJob[]): string {
  let key = graphKeys.get(jobs);
  if (key === undefined) {
    key = createHash("sha256").update(JSON.stringify(jobs)).digest("base64url");
    graphKeys.set(jobs, key);
  }
  return key;
}

/** Creates the run record of a job that has not started. */
export function newJobRun(name: string): JobRun {
  return {
    name,
    phase: "waiting",
    attempts: 0,
    build: null,
    result: null,
    nodeRequest: null,
    nodes: [],
    semaphoresRequested: false,
    semaphoresHeld: false,
    pendingBuild: null,
    requestTime: null,
  };
}

/** Jobs whose dependencies allow them to start now: hard ones succeeded, soft ones finished. */
export function startableJobs(
  jobs: readonly FrozenJob[],
  buildSet: Readonly<BuildSet>,
): FrozenJob[] {
  const startable: FrozenJob[] = [];
  for (const job of jobs) {
    const run = buildSet.runs[job.name];
    if (run === undefined || run.phase !== "waiting") continue;
    const ready = job.dependencies.every((dependency) => {
      const result = buildSet.runs[dependency.name]?.result ?? null;
      if (dependency.soft) return result !== null || buildSet.runs[dependency.name] === undefined;
      return result === "SUCCESS";
    });
    if (ready) startable.push(job);
  }
  return startable;
}

/** Names of every job that depends on `name` through hard dependencies, transitively. */
export function hardDependents(jobs: readonly FrozenJob[], name: string): string[] {
  const found = new Set<string>();
  const pending = [name];
  while (pending.length > 0) {
    const current = pending.pop();
    for (const job of jobs) {
      if (found.has(job.name)) continue;
      if (job.dependencies.some((d) => !d.soft && d.name === current)) {
        found.add(job.name);
        pending.push(job.name);
      }
    }
  }
  return [...found];
}

/** True once every job of a frozen graph has a result. */
export function allJobsComplete(
  jobs: readonly FrozenJob[] | null,
  buildSet: Readonly<BuildSet>,
): boolean {
  if (jobs === null) return false;
  return jobs.every((job) => (buildSet.runs[job.name]?.result ?? null) !== null);
}

/** True when a voting job ended with anything but SUCCESS. */
export function anyVotingJobFailed(
  jobs: readonly FrozenJob[],
  buildSet: Readonly<BuildSet>,
): boolean {
  for (const job of jobs) {
    if (!job.voting) continue;
    const result = buildSet.runs[job.name]?.result ?? null;
    if (result !== null && result !== "SUCCESS") return true;
  }
  return false;
}

/** True when every voting job succeeded; non-voting results do not count. */
export function allVotingJobsSucceeded(
  jobs: readonly FrozenJob[],
  buildSet: Readonly<BuildSet>,
): boolean {
  return jobs.every((job) => !job.voting || buildSet.runs[job.name]?.result === "SUCCESS");
}

/** True when a job with `hold-following-changes` has not succeeded yet. */
export function holdsFollowingChanges(
  jobs: readonly FrozenJob[],
  buildSet: Readonly<BuildSet>,
): boolean {
  for (const job of jobs) {
    if (job.holdFollowingChanges && buildSet.runs[job.name]?.result !== "SUCCESS") return true;
  }
  return false;
}

/** Semaphores a job needs, with their capacity; a mutex is a semaphore of max 1. */
export function semaphoresOf(
  layout: Layout,
  job: FrozenJob,
): { readonly name: string; readonly max: number }[] {
  const needed = job.semaphores.map((name) => ({
    name,
    max: layout.semaphores[name]?.max ?? 1,
  }));
  if (job.mutex !== null && !needed.some((semaphore) => semaphore.name === job.mutex)) {
    needed.push({ name: job.mutex, max: 1 });
  }
  return needed;
}
