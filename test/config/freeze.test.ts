// Variant and inheritance resolution: layouts loaded from YAML and frozen for an item, checked
// against the frozen jobs Zuul 3 would build.
import { test } from "uvu";
import * as assert from "uvu/assert";

import type { FrozenJob, Layout } from "../../messages/layout.js";
import {
  formatConfigError,
  freezeJobGraph,
  projectPipeline,
  type FreezeRequest,
} from "../../runtime/config/index.js";
import { BASE_PIPELINES, loadBranches, type BranchTexts } from "./helpers.js";

const BASE_JOB = `- job:
    name: base
    parent: null
    pre-run: playbooks/base-pre.yaml
    run: playbooks/base.yaml
    post-run: playbooks/base-post.yaml
    vars:
      shared: {from: base, keep: base}
`;

async function layoutOf(projects: BranchTexts, options = ""): Promise<Layout> {
  const loaded = await loadBranches(projects, options);
  const errors = loaded.errors.filter((error) => error.severity === "error");
  assert.equal(errors.map(formatConfigError), [], "layout loads without errors");
  if (loaded.layout === null) throw new Error("layout failed to load");
  return loaded.layout;
}

function freeze(layout: Layout, request: Partial<FreezeRequest> = {}): FrozenJob[] {
  const result = freezeJobGraph(layout, {
    project: "org/app",
    branch: "master",
    pipeline: "check",
    files: null,
    ...request,
  });
  if (!result.ok) throw new Error(result.errors.map(formatConfigError).join("\n"));
  return [...result.graph.jobs];
}

function job(jobs: readonly FrozenJob[], name: string): FrozenJob {
  const found = jobs.find((entry) => entry.name === name);
  if (found === undefined) throw new Error(`job ${name} is not in the graph`);
  return found;
}

function config(text: string): BranchTexts["config"] {
  return { master: { "zuul.yaml": BASE_PIPELINES + BASE_JOB + text } };
}

const paths = (refs: readonly { path: string }[]): string[] => refs.map((ref) => ref.path);

test("job without parent inherits from base", async () => {
  const layout = await layoutOf({
    config: config("- job:\n    name: unit\n    run: playbooks/unit.yaml\n"),
    "org/app": { master: { ".zuul.yaml": "- project:\n    check:\n      jobs: [unit]\n" } },
  });
  const unit = job(freeze(layout), "unit");
  assert.equal(unit.inheritance, ["unit", "base"]);
  assert.equal(paths(unit.preRun), ["playbooks/base-pre.yaml"]);
  assert.equal(paths(unit.run), ["playbooks/unit.yaml"]);
  assert.is(unit.attempts, 3);
  assert.is(unit.voting, true);
});

test("parent null starts a new inheritance root", async () => {
  const layout = await layoutOf({
    config: config("- job:\n    name: solo\n    parent: null\n    run: solo.yaml\n"),
    "org/app": { master: { ".zuul.yaml": "- project:\n    check:\n      jobs: [solo]\n" } },
  });
  const solo = job(freeze(layout), "solo");
  assert.equal(solo.inheritance, ["solo"]);
  assert.equal(paths(solo.preRun), []);
});

test("pre-run accumulates parent first and post-run child first", async () => {
  const layout = await layoutOf({
    config: config(
      "- job:\n    name: middle\n    pre-run: middle-pre.yaml\n    post-run: middle-post.yaml\n" +
        "- job:\n    name: leaf\n    parent: middle\n    pre-run: leaf-pre.yaml\n" +
        "    post-run: leaf-post.yaml\n",
    ),
    "org/app": { master: { ".zuul.yaml": "- project:\n    check:\n      jobs: [leaf]\n" } },
  });
  const leaf = job(freeze(layout), "leaf");
  assert.equal(leaf.inheritance, ["leaf", "middle", "base"]);
  assert.equal(paths(leaf.preRun), ["playbooks/base-pre.yaml", "middle-pre.yaml", "leaf-pre.yaml"]);
  assert.equal(paths(leaf.postRun), [
    "leaf-post.yaml",
    "middle-post.yaml",
    "playbooks/base-post.yaml",
  ]);
  assert.equal(paths(leaf.run), ["playbooks/base.yaml"]);
});

test("vars merge deeply with the child winning", async () => {
  const layout = await layoutOf({
    config: config("- job:\n    name: unit\n    vars:\n      shared: {from: unit}\n      own: 1\n"),
    "org/app": { master: { ".zuul.yaml": "- project:\n    check:\n      jobs: [unit]\n" } },
  });
  const unit = job(freeze(layout), "unit");
  assert.equal(unit.vars, { shared: { from: "unit", keep: "base" }, own: 1 });
});

test("branch variant applies only on matching branches", async () => {
  const layout = await layoutOf({
    config: config(
      "- job:\n    name: unit\n    timeout: 100\n" +
        "- job:\n    name: unit\n    branches: ^stable/.*\n    timeout: 50\n",
    ),
    "org/app": {
      master: { ".zuul.yaml": "- project:\n    check:\n      jobs: [unit]\n" },
      "stable/1": { ".zuul.yaml": "- project:\n    check:\n      jobs: [unit]\n" },
    },
  });
  assert.is(job(freeze(layout), "unit").timeout, 100);
  const stable = job(freeze(layout, { branch: "stable/1" }), "unit");
  assert.is(stable.timeout, 50);
  assert.is(stable.variants.length, 3, "base, unit, and the stable variant");
});

test("untrusted job variants get implied branch matchers", async () => {
  const layout = await layoutOf({
    config: config(""),
    "org/app": {
      master: {
        ".zuul.yaml":
          "- job:\n    name: app-test\n    vars: {branch: master}\n" +
          "- project:\n    check:\n      jobs: [app-test]\n",
      },
      "stable/1": {
        ".zuul.yaml":
          "- job:\n    name: app-test\n    vars: {branch: stable}\n" +
          "- project:\n    check:\n      jobs: [app-test]\n",
      },
    },
  });
  const variants = layout.jobs["app-test"] ?? [];
  assert.is(variants.length, 2);
  assert.ok(variants.every((variant) => variant.impliedBranches));
  assert.equal(job(freeze(layout), "app-test").vars.branch, "master");
  assert.equal(job(freeze(layout, { branch: "stable/1" }), "app-test").vars.branch, "stable");
});

test("explicit branches replace the implied branch", async () => {
  const layout = await layoutOf({
    config: config(""),
    "org/app": {
      master: {
        ".zuul.yaml":
          "- job:\n    name: app-test\n    branches: [master, stable/1]\n    vars: {from: master}\n" +
          "- project:\n    check:\n      jobs: [app-test]\n",
      },
      "stable/1": { ".zuul.yaml": "- project:\n    check:\n      jobs: [app-test]\n" },
    },
  });
  const [variant] = layout.jobs["app-test"] ?? [];
  assert.is(variant?.impliedBranches, false);
  assert.equal(job(freeze(layout, { branch: "stable/1" }), "app-test").vars.from, "master");
});

test("config project jobs apply on every branch", async () => {
  const layout = await layoutOf({
    config: config("- job:\n    name: unit\n"),
    "org/app": { "stable/9": { ".zuul.yaml": "- project:\n    check:\n      jobs: [unit]\n" } },
  });
  assert.equal(layout.jobs.unit?.[0]?.branches, []);
  assert.equal(
    freeze(layout, { branch: "stable/9" }).map((entry) => entry.name),
    ["unit"],
  );
});

test("inline project variant changes one project's job", async () => {
  const layout = await layoutOf({
    config: config("- job:\n    name: unit\n"),
    "org/app": {
      master: {
        ".zuul.yaml":
          "- project:\n    check:\n      jobs:\n        - unit: {voting: false, attempts: 1}\n",
      },
    },
  });
  const unit = job(freeze(layout), "unit");
  assert.is(unit.voting, false);
  assert.is(unit.attempts, 1);
  assert.is(unit.variants.at(-1)?.project, "org/app");
});

test("project stanza on one branch has no config on another", async () => {
  const layout = await layoutOf({
    config: config("- job:\n    name: unit\n"),
    "org/app": {
      master: {},
      "stable/1": { ".zuul.yaml": "- project:\n    check:\n      jobs: [unit]\n" },
    },
  });
  assert.is(projectPipeline(layout, "org/app", "check", "master"), null);
  assert.equal(
    projectPipeline(layout, "org/app", "check", "stable/1")?.jobs.map((entry) => entry.name),
    ["unit"],
  );
  assert.equal(freeze(layout), []);
});

test("templates contribute jobs before the stanza's own", async () => {
  const layout = await layoutOf({
    config: config(
      "- job:\n    name: unit\n- job:\n    name: lint\n" +
        "- project-template:\n    name: python\n    check:\n      jobs: [lint]\n",
    ),
    "org/app": {
      master: {
        ".zuul.yaml": "- project:\n    templates: [python]\n    check:\n      jobs: [unit]\n",
      },
    },
  });
  assert.equal(
    freeze(layout).map((entry) => entry.name),
    ["lint", "unit"],
  );
  assert.equal(layout.projectConfigs["org/app"]?.templates, ["python"]);
});

test("a job in a template and a stanza runs once with both variants", async () => {
  const layout = await layoutOf({
    config: config(
      "- job:\n    name: unit\n" +
        "- project-template:\n    name: python\n    check:\n      jobs:\n        - unit: {timeout: 30}\n",
    ),
    "org/app": {
      master: {
        ".zuul.yaml":
          "- project:\n    templates: [python]\n    check:\n      jobs:\n        - unit: {voting: false}\n",
      },
    },
  });
  const jobs = freeze(layout);
  assert.is(jobs.length, 1);
  assert.is(job(jobs, "unit").timeout, 30);
  assert.is(job(jobs, "unit").voting, false);
});

test("untrusted template keeps its implied branch", async () => {
  const layout = await layoutOf({
    config: config("- job:\n    name: unit\n"),
    "org/app": {
      master: {
        ".zuul.yaml":
          "- project-template:\n    name: own\n    check:\n      jobs: [unit]\n" +
          "- project:\n    templates: [own]\n    check:\n      jobs: []\n",
      },
    },
  });
  const entry = projectPipeline(layout, "org/app", "check", "master")?.jobs[0];
  assert.equal(entry?.templateBranches, ["^master$"]);
  assert.equal(
    freeze(layout).map((frozen) => frozen.name),
    ["unit"],
  );
});

test("several project stanzas merge in tenant order", async () => {
  const layout = await layoutOf({
    config: config(
      "- job:\n    name: unit\n- job:\n    name: lint\n" +
        "- project:\n    name: org/app\n    check:\n      jobs: [lint]\n",
    ),
    "org/app": { master: { ".zuul.yaml": "- project:\n    check:\n      jobs: [unit]\n" } },
  });
  assert.equal(
    freeze(layout).map((entry) => entry.name),
    ["lint", "unit"],
  );
  assert.is(layout.projectConfigs["org/app"]?.sources.length, 2);
});

test("final job accepts file matchers but not other changes", async () => {
  const texts = (variant: string): BranchTexts => ({
    config: config("- job:\n    name: release\n    final: true\n"),
    "org/app": {
      master: {
        ".zuul.yaml": `- project:\n    check:\n      jobs:\n        - release: ${variant}\n`,
      },
    },
  });
  const layout = await layoutOf(texts("{files: ['^setup.py$']}"));
  assert.equal(job(freeze(layout), "release").files, ["^setup.py$"]);
  const rejected = await loadBranches(texts("{timeout: 5}"));
  assert.ok(rejected.errors.some((error) => error.message.includes('job "release" is final')));
});

test("abstract parent lets its children run", async () => {
  const layout = await layoutOf({
    config: config(
      "- job:\n    name: template-job\n    abstract: true\n    timeout: 40\n" +
        "- job:\n    name: concrete\n    parent: template-job\n",
    ),
    "org/app": { master: { ".zuul.yaml": "- project:\n    check:\n      jobs: [concrete]\n" } },
  });
  const concrete = job(freeze(layout), "concrete");
  assert.is(concrete.abstract, false);
  assert.is(concrete.timeout, 40);
});

test("required projects merge by name", async () => {
  const layout = await layoutOf({
    config: config(
      "- job:\n    name: parent-job\n    required-projects: [org/lib, org/app]\n" +
        "- job:\n    name: child\n    parent: parent-job\n" +
        "    required-projects:\n      - {name: org/lib, override-checkout: stable/1}\n",
    ),
    "org/app": { master: { ".zuul.yaml": "- project:\n    check:\n      jobs: [child]\n" } },
    "org/lib": { master: {} },
  });
  assert.equal(job(freeze(layout), "child").requiredProjects, [
    { project: "org/app", overrideCheckout: null },
    { project: "org/lib", overrideCheckout: "stable/1" },
  ]);
});

test("allowed projects intersect and tags accumulate", async () => {
  const layout = await layoutOf({
    config: config(
      "- job:\n    name: parent-job\n    allowed-projects: [org/app, org/lib]\n    tags: [a]\n" +
        "- job:\n    name: child\n    parent: parent-job\n    allowed-projects: [org/app]\n    tags: [b]\n",
    ),
    "org/app": { master: { ".zuul.yaml": "- project:\n    check:\n      jobs: [child]\n" } },
    "org/lib": { master: {} },
  });
  const child = job(freeze(layout), "child");
  assert.equal(child.allowedProjects, ["org/app"]);
  assert.equal(child.tags, ["a", "b"]);
});

test("file matchers select jobs by the item's files", async () => {
  const layout = await layoutOf({
    config: config(
      "- job:\n    name: docs\n    files: ['^doc/.*']\n" +
        "- job:\n    name: unit\n    irrelevant-files: ['^doc/.*', '.*\\.md$']\n",
    ),
    "org/app": { master: { ".zuul.yaml": "- project:\n    check:\n      jobs: [docs, unit]\n" } },
  });
  const names = (files: string[] | null): string[] =>
    freeze(layout, { files }).map((entry) => entry.name);
  assert.equal(names(null), ["docs", "unit"]);
  assert.equal(names(["doc/index.rst", "/COMMIT_MSG"]), ["docs"]);
  assert.equal(names(["src/main.c"]), ["unit"]);
  assert.equal(names(["README.md", "src/a.c"]), ["unit"]);
});

test("soft dependencies that do not run are dropped", async () => {
  const layout = await layoutOf({
    config: config(
      "- job:\n    name: build\n    files: ['^src/.*']\n" +
        "- job:\n    name: deploy\n    dependencies: [{name: build, soft: true}]\n",
    ),
    "org/app": {
      master: { ".zuul.yaml": "- project:\n    check:\n      jobs: [build, deploy]\n" },
    },
  });
  assert.equal(job(freeze(layout, { files: ["src/a.c"] }), "deploy").dependencies, [
    { name: "build", soft: true },
  ]);
  assert.equal(job(freeze(layout, { files: ["README"] }), "deploy").dependencies, []);
});

test("named nodeset and semaphores resolve", async () => {
  const layout = await layoutOf({
    config: config(
      "- nodeset:\n    name: pair\n    nodes:\n      - {name: a, label: small}\n      - {name: b, label: large}\n" +
        "- semaphore:\n    name: deploy\n    max: 2\n" +
        "- job:\n    name: unit\n    nodeset: pair\n    semaphore: deploy\n",
    ),
    "org/app": { master: { ".zuul.yaml": "- project:\n    check:\n      jobs: [unit]\n" } },
  });
  const unit = job(freeze(layout), "unit");
  assert.equal(unit.nodeset.nodes, [
    { name: "a", label: "small" },
    { name: "b", label: "large" },
  ]);
  assert.is(unit.nodeset.name, "pair");
  assert.equal(unit.semaphores, ["deploy"]);
});

test("built-in noop job needs no definition", async () => {
  const layout = await layoutOf({
    config: config(""),
    "org/app": { master: { ".zuul.yaml": "- project:\n    gate:\n      jobs: [noop]\n" } },
  });
  const noop = job(freeze(layout, { pipeline: "gate" }), "noop");
  assert.equal(noop.inheritance, ["noop"]);
  assert.equal(noop.run, []);
});

test("regex project names apply to every matching project", async () => {
  const layout = await layoutOf({
    config: config(
      "- job:\n    name: unit\n- project:\n    name: ^org/.*\n    check:\n      jobs: [unit]\n",
    ),
    "org/app": { master: {} },
    "org/lib": { master: {} },
  });
  assert.equal(
    freeze(layout).map((entry) => entry.name),
    ["unit"],
  );
  assert.equal(
    freeze(layout, { project: "org/lib" }).map((entry) => entry.name),
    ["unit"],
  );
});

test("protected job may not be inherited by another project", async () => {
  const loaded = await loadBranches({
    config: config("- job:\n    name: guarded\n    protected: true\n"),
    "org/app": {
      master: {
        ".zuul.yaml":
          "- job:\n    name: mine\n    parent: guarded\n    vars: {a: 1}\n" +
          "- project:\n    check:\n      jobs: [mine]\n",
      },
    },
  });
  assert.ok(loaded.errors.some((error) => error.message.includes('job "guarded" is protected')));
});

test("project settings come from the last stanza that sets them", async () => {
  const layout = await layoutOf({
    config: config("- job:\n    name: unit\n"),
    "org/app": {
      master: {
        ".zuul.yaml":
          "- project:\n    merge-mode: squash-merge\n    default-branch: main\n" +
          "    queue: integrated\n    vars: {a: 1}\n    gate:\n      jobs: [unit]\n",
      },
    },
  });
  const project = layout.projectConfigs["org/app"];
  assert.is(project?.mergeMode, "squash-merge");
  assert.is(project?.defaultBranch, "main");
  assert.is(project?.pipelines.gate?.queue, "integrated");
  assert.equal(project?.vars, { a: 1 });
});

test("gerrit-like projects merge with merge-resolve by default", async () => {
  const layout = await layoutOf({
    config: config("- job:\n    name: unit\n"),
    "org/app": { master: { ".zuul.yaml": "- project:\n    check:\n      jobs: [unit]\n" } },
  });
  assert.is(layout.projectConfigs["org/app"]?.mergeMode, "merge-resolve");
  assert.is(layout.projectConfigs["org/app"]?.defaultBranch, "master");
});

test.run();
