// `npm run bench -- config`: loads a generated tenant of 2,000 projects, 5,000 jobs and 500
// project-templates, and compares the load time with a bare `yaml` parse of the same files.
// Writes bench-results/config.json with load_s, yaml_parse_s, ratio (target <= 3), peak_rss_mb.
// `--inline` builds the layout on the main thread instead of the loader's worker thread.
import { performance } from "node:perf_hooks";

import { parse } from "yaml";

import {
  clearParseCaches,
  closeConfigPool,
  loadLayout,
  MemoryRepositoryReader,
  parseTenantConfig,
  type LoadResult,
} from "../../runtime/config/index.js";
import { printTable, writeResults } from "./lib-results.js";

const PROJECTS = 2000;
const TEMPLATES = 500;
const CENTRAL_JOBS = 999;
const JOBS_PER_PROJECT = 2;
const ROUNDS = 3;

const PIPELINES = `- pipeline:
    name: check
    manager: independent
    trigger:
      gerrit:
        - event: patchset-created
        - event: comment-added
          comment: (?i)^\\s*recheck\\s*$
    success:
      gerrit:
        Verified: 1
    failure:
      gerrit:
        Verified: -1
- pipeline:
    name: gate
    manager: dependent
    require:
      gerrit:
        open: true
        approval:
          - Code-Review: 2
    trigger:
      gerrit:
        - event: comment-added
          approval:
            - Workflow: 1
    success:
      gerrit:
        Verified: 2
        submit: true
    failure:
      gerrit:
        Verified: -2
- pipeline:
    name: post
    manager: supercedent
    trigger:
      gerrit:
        - event: ref-updated
          ref: ^refs/heads/.*$
`;

function centralConfig(): Record<string, string> {
  const jobs: string[] = [
    "- job:\n    name: base\n    parent: null\n    pre-run: playbooks/pre.yaml\n    run: playbooks/run.yaml\n    post-run: playbooks/post.yaml\n    nodeset:\n      nodes:\n        - {name: node, label: ubuntu}\n",
  ];
  for (let i = 0; i < CENTRAL_JOBS; i++) {
    const parent = i % 10 === 0 ? "base" : `central-${i - (i % 10)}`;
    jobs.push(
      `- job:\n    name: central-${i}\n    parent: ${parent}\n    description: Central job ${i}.\n` +
        `    timeout: ${1800 + i}\n    vars:\n      index: ${i}\n      group: {name: g${i % 10}}\n` +
        `    irrelevant-files:\n      - ^doc/.*$\n      - ^.*\\.rst$\n`,
    );
  }
  const templates: string[] = [];
  for (let t = 0; t < TEMPLATES; t++) {
    const a = (t * 2) % CENTRAL_JOBS;
    const b = (t * 2 + 1) % CENTRAL_JOBS;
    templates.push(
      `- project-template:\n    name: template-${t}\n    check:\n      jobs:\n` +
        `        - central-${a}\n        - central-${b}:\n            voting: false\n` +
        `    gate:\n      jobs:\n        - central-${a}\n`,
    );
  }
  return {
    "zuul.d/pipelines.yaml": PIPELINES,
    "zuul.d/jobs.yaml": jobs.join(""),
    "zuul.d/templates.yaml": templates.join(""),
  };
}

function projectConfig(index: number): string {
  const jobs: string[] = [];
  for (let j = 0; j < JOBS_PER_PROJECT; j++) {
    jobs.push(
      `- job:\n    name: project-${index}-job-${j}\n    parent: central-${(index + j) % CENTRAL_JOBS}\n` +
        `    run: playbooks/test-${j}.yaml\n    files:\n      - ^src/.*$\n    vars:\n      project: ${index}\n`,
    );
  }
  return (
    jobs.join("") +
    `- project:\n    templates:\n      - template-${index % TEMPLATES}\n      - template-${(index + 7) % TEMPLATES}\n` +
    `    check:\n      jobs:\n        - project-${index}-job-0\n        - project-${index}-job-1:\n` +
    `            dependencies: [project-${index}-job-0]\n    gate:\n      queue: integrated\n` +
    `      jobs:\n        - project-${index}-job-0\n`
  );
}

export async function main(args: string[]): Promise<void> {
  const files: Record<string, Record<string, Record<string, string>>> = {
    config: { master: centralConfig() },
  };
  const names: string[] = [];
  for (let i = 0; i < PROJECTS; i++) {
    const name = `org/project-${i}`;
    names.push(name);
    files[name] = { master: { ".zuul.yaml": projectConfig(i) } };
  }
  const tenantText =
    "- tenant:\n    name: bench\n    source:\n      gerrit:\n        config-projects: [config]\n" +
    `        untrusted-projects:\n${names.map((name) => `          - ${name}\n`).join("")}`;
  const tenant = parseTenantConfig(tenantText, "main.yaml").tenants[0];
  if (tenant === undefined) throw new Error("the generated tenant config is invalid");
  const texts = Object.values(files).flatMap((branches) =>
    Object.values(branches).flatMap((paths) => Object.values(paths)),
  );

  const reader = new MemoryRepositoryReader(files);
  const placement = args.includes("--inline") ? ("inline" as const) : ("worker" as const);
  const options = { connections: { gerrit: "gerrit" }, placement };
  // Rounds alternate the bare parse and a load with empty parse caches, and the best round of each counts, because
  // load from other processes on the machine can only slow a round down.
  let yamlParseSeconds = Infinity;
  let loadSeconds = Infinity;
  let reloadSeconds = Infinity;
  // CPU time of every thread of the process, which other processes' load disturbs less.
  let yamlParseCpu = Infinity;
  let loadCpu = Infinity;
  const cpuSeconds = (since: NodeJS.CpuUsage): number => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1e6;
  };
  let result: LoadResult | null = null;
  for (let round = 0; round < ROUNDS; round++) {
    const parseStart = performance.now();
    const parseCpu = process.cpuUsage();
    for (const text of texts) parse(text);
    yamlParseSeconds = Math.min(yamlParseSeconds, (performance.now() - parseStart) / 1000);
    yamlParseCpu = Math.min(yamlParseCpu, cpuSeconds(parseCpu));

    await clearParseCaches();
    const loadStart = performance.now();
    const startCpu = process.cpuUsage();
    result = await loadLayout(tenant, reader, options);
    loadSeconds = Math.min(loadSeconds, (performance.now() - loadStart) / 1000);
    loadCpu = Math.min(loadCpu, cpuSeconds(startCpu));

    // A second load finds every file in the parse cache.
    const reloadStart = performance.now();
    await loadLayout(tenant, reader, options);
    reloadSeconds = Math.min(reloadSeconds, (performance.now() - reloadStart) / 1000);
  }
  await closeConfigPool();
  if (result === null || !result.ok) {
    const reason = result?.ok === false ? (result.errors[0]?.message ?? "") : "no round ran";
    throw new Error(`the generated tenant failed to load: ${reason}`);
  }
  const jobCount = Object.keys(result.layout.jobs).length - 1;
  const errors = result.layout.configErrors.filter((error) => error.severity === "error").length;

  const figures = {
    load_s: Number(loadSeconds.toFixed(3)),
    yaml_parse_s: Number(yamlParseSeconds.toFixed(3)),
    ratio: Number((loadSeconds / yamlParseSeconds).toFixed(2)),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    reload_s: Number(reloadSeconds.toFixed(3)),
    load_cpu_s: Number(loadCpu.toFixed(3)),
    yaml_parse_cpu_s: Number(yamlParseCpu.toFixed(3)),
    cpu_ratio: Number((loadCpu / yamlParseCpu).toFixed(2)),
    placement,
    projects: PROJECTS,
    jobs: jobCount,
    templates: TEMPLATES,
    config_errors: errors,
  };
  printTable(Object.entries(figures));
  process.stdout.write(`wrote ${writeResults("config", figures)}\n`);
}
