// Loading as a whole: reloads, the parse cache, speculative layouts, worker placement and the
// immutability of the result.
import { pino } from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";

import {
  closeConfigPool,
  formatConfigError,
  inlineCacheStats,
  loadLayout,
  loadSpeculativeLayout,
} from "../../runtime/config/index.js";
import { MemoryReader } from "./corpus-tenants.js";
import { BASE_PIPELINES, makeTenant, TEST_CONNECTIONS } from "./helpers.js";

const FILES = {
  config: {
    "zuul.d/pipelines.yaml": BASE_PIPELINES,
    "zuul.d/jobs.yaml": "- job:\n    name: base\n    parent: null\n- job:\n    name: unit\n",
  },
  "org/app": { ".zuul.yaml": "- project:\n    check:\n      jobs: [unit]\n" },
};

const tenant = makeTenant(["org/app"]);
const options = { connections: TEST_CONNECTIONS, placement: "inline" as const, now: () => 1000 };

async function load(files: Record<string, Record<string, string>> = FILES) {
  const result = await loadLayout(tenant, new MemoryReader(files), options);
  if (!result.ok) throw new Error(result.errors.map(formatConfigError).join("\n"));
  return result.layout;
}

test("reload that changes nothing gives an equal layout", async () => {
  const first = await load();
  const before = inlineCacheStats();
  const second = await load();
  const after = inlineCacheStats();
  assert.equal(second, first);
  assert.is(after.misses, before.misses, "no file is parsed again");
  assert.is(after.hits - before.hits, 3);
});

test("reload re-parses only the changed file", async () => {
  await load();
  const before = inlineCacheStats();
  const changed = {
    ...FILES,
    "org/app": { ".zuul.yaml": "- project:\n    check:\n      jobs: [unit, noop]\n" },
  };
  const layout = await load(changed);
  assert.is(inlineCacheStats().misses - before.misses, 1);
  assert.equal(
    layout.projectConfigs["org/app"]?.pipelines.check?.jobs.map((job) => job.name),
    ["unit", "noop"],
  );
});

test("layout is deeply frozen", async () => {
  const layout = await load();
  assert.ok(Object.isFrozen(layout));
  assert.ok(Object.isFrozen(layout.jobs.unit));
  assert.ok(Object.isFrozen(layout.pipelines.check?.triggers));
  assert.throws(() => {
    (layout.pipelines as Record<string, unknown>).extra = {};
  });
});

test("worker placement builds the same layout", async () => {
  const inline = await load();
  const result = await loadLayout(tenant, new MemoryReader(FILES), {
    ...options,
    placement: "worker",
  });
  if (!result.ok) throw new Error(result.errors.map(formatConfigError).join("\n"));
  assert.equal(result.layout, inline);
  assert.ok(Object.isFrozen(result.layout.projectConfigs));
  await closeConfigPool();
});

test("speculative layout adds a change's own job", async () => {
  const base = await load();
  const speculative = await loadSpeculativeLayout(
    base,
    tenant,
    new MemoryReader(FILES),
    {
      "org/app": {
        ".zuul.yaml":
          "- job:\n    name: new-job\n- project:\n    check:\n      jobs: [unit, new-job]\n",
      },
    },
    "master",
  );
  assert.equal(speculative.errors, []);
  assert.ok(speculative.layout.jobs["new-job"] !== undefined);
  assert.is(base.jobs["new-job"], undefined, "the base layout is unchanged");
});

test("speculative layout with errors keeps the base layout", async () => {
  const base = await load();
  const speculative = await loadSpeculativeLayout(
    base,
    tenant,
    new MemoryReader(FILES),
    { "org/app": { ".zuul.yaml": "- project:\n    check:\n      jobs: [unitt]\n" } },
    "master",
  );
  assert.is(speculative.layout, base);
  assert.ok(speculative.errors.some((error) => error.message.includes('unknown job "unitt"')));
  assert.is(speculative.errors[0]?.file, ".zuul.yaml");
});

test("speculative layout ignores config project edits", async () => {
  const base = await load();
  const speculative = await loadSpeculativeLayout(
    base,
    tenant,
    new MemoryReader(FILES),
    { config: { "zuul.d/jobs.yaml": "- job:\n    name: other\n" } },
    "master",
  );
  assert.is(speculative.layout, base);
  assert.equal(speculative.errors, []);
});

test("config project error fails the load with positions", async () => {
  const result = await loadLayout(
    tenant,
    new MemoryReader({
      ...FILES,
      config: { ...FILES.config, "zuul.d/bad.yaml": "- job:\n    name: x\n    voting: 2\n" },
    }),
    options,
  );
  assert.is(result.ok, false);
  if (!result.ok) {
    assert.is(result.errors[0]?.file, "zuul.d/bad.yaml");
    assert.is(result.errors[0]?.line, 3);
  }
});

test("untrusted project errors are collected while others load", async () => {
  const result = await loadLayout(
    tenant,
    new MemoryReader({
      ...FILES,
      "org/app": { ".zuul.yaml": "- job:\n    name: y\n    voting: 2\n" },
    }),
    options,
  );
  if (!result.ok) throw new Error(result.errors.map(formatConfigError).join("\n"));
  assert.is(result.layout.configErrors.length, 1);
  assert.ok(result.layout.jobs.unit !== undefined);
  assert.is(result.layout.jobs.y, undefined, "the object with the error is left out");
});

test("only the first configuration root of a branch is loaded", async () => {
  const layout = await load({
    ...FILES,
    "org/app": {
      "zuul.yaml": "- project:\n    check:\n      jobs: [unit]\n",
      ".zuul.yaml": "- project:\n    gate:\n      jobs: [unit]\n",
    },
  });
  assert.equal(Object.keys(layout.projectConfigs["org/app"]?.pipelines ?? {}), ["check"]);
  assert.ok(
    layout.configErrors.some(
      (error) => error.severity === "warning" && error.file === ".zuul.yaml",
    ),
  );
});

test("untrusted project keeps its last good configuration", async () => {
  const previous = await load();
  const broken = {
    ...FILES,
    "org/app": { ".zuul.yaml": "- project:\n    check:\n      jobs: [unitt]\n" },
  };
  const result = await loadLayout(tenant, new MemoryReader(broken), { ...options, previous });
  if (!result.ok) throw new Error(result.errors.map(formatConfigError).join("\n"));
  const jobs = result.layout.projectConfigs["org/app"]?.pipelines.check?.jobs ?? [];
  assert.equal(
    jobs.map((job) => job.name),
    ["unit"],
  );
  const messages = result.layout.configErrors.map((error) => error.message);
  assert.ok(messages.some((message) => message.includes('unknown job "unitt"')));
  assert.ok(messages.some((message) => message.includes("keeps its last good configuration")));
});

test("failed project read is a config error", async () => {
  const reader = new MemoryReader(FILES);
  const failing = {
    branches: (connection: string, project: string) =>
      project === "org/app"
        ? Promise.reject(new Error("repository is missing"))
        : reader.branches(connection, project),
    listFiles: reader.listFiles.bind(reader),
    readFile: reader.readFile.bind(reader),
  };
  const lines: string[] = [];
  const log = pino({ level: "info" }, { write: (line: string) => lines.push(line) });
  const result = await loadLayout(tenant, failing, { ...options, log });
  if (!result.ok) throw new Error(result.errors.map(formatConfigError).join("\n"));
  const error = result.layout.configErrors.find((entry) => entry.project === "org/app");
  assert.match(
    error?.message ?? "",
    /reading the project's configuration failed: repository is missing/,
  );
  assert.ok(lines.some((line) => line.includes('"msg":"reading project configuration failed"')));
  assert.ok(lines.some((line) => line.includes('"msg":"layout loaded"')));
});

test.run();
