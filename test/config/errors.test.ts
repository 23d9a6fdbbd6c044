// A table of invalid configurations, each with the message fragment, line and column of the error
// it must produce. The case text is the file `zuul.d/case.yaml` of the config project, or
// `.zuul.yaml` of the untrusted project org/app, so positions are relative to that text.
import { test } from "uvu";
import * as assert from "uvu/assert";

import type { ConfigError } from "../../messages/layout.js";
import { formatConfigError, parseTenantConfig } from "../../runtime/config/index.js";
import { BASE_PIPELINES, loadTexts } from "./helpers.js";

const BASE_OBJECTS = `- job:
    name: base
    parent: null
    run: playbooks/base.yaml
- nodeset:
    name: small
    nodes:
      - name: node
        label: ubuntu
- semaphore:
    name: deploy
    max: 2
- secret:
    name: config-secret
    data:
      password: !encrypted/pkcs1-oaep abc
- job:
    name: unit
- job:
    name: lint
- job:
    name: abstract-job
    abstract: true
- job:
    name: final-job
    final: true
- project-template:
    name: python
    check:
      jobs: [unit]
`;

interface ErrorCase {
  readonly name: string;
  /** `config` puts the text in the config project, `untrusted` in org/app. */
  readonly where: "config" | "untrusted";
  readonly text: string;
  readonly fragment: string;
  readonly line: number;
  readonly column: number;
  readonly severity?: "error" | "warning";
}

const CASES: readonly ErrorCase[] = [
  {
    name: "unknown object type",
    where: "config",
    text: "- jobb:\n    name: x\n",
    fragment: 'unknown configuration object type "jobb"',
    line: 1,
    column: 3,
  },
  {
    name: "list entry that is a string",
    where: "config",
    text: "- just a string\n",
    fragment: "each list entry must be a mapping with one key",
    line: 1,
    column: 3,
  },
  {
    name: "file that is not a list",
    where: "config",
    text: "job:\n  name: x\n",
    fragment: "expected a list of configuration objects",
    line: 1,
    column: 1,
  },
  {
    name: "duplicate key",
    where: "config",
    text: "- job:\n    name: a\n    name: b\n",
    fragment: "invalid YAML: Map keys must be unique",
    line: 3,
    column: 5,
  },
  {
    name: "unknown YAML tag",
    where: "config",
    text: "- job:\n    name: x\n    vars:\n      a: !vault abc\n",
    fragment: "invalid YAML: Unresolved tag: !vault",
    line: 4,
    column: 10,
  },
  {
    name: "job without name",
    where: "config",
    text: "- job:\n    run: playbooks/x.yaml\n",
    fragment: 'missing required attribute "name"',
    line: 2,
    column: 5,
  },
  {
    name: "misspelt job attribute",
    where: "config",
    text: "- job:\n    name: x\n    tiemout: 10\n",
    fragment: 'unknown attribute "tiemout"; did you mean "timeout"?',
    line: 3,
    column: 5,
  },
  {
    name: "timeout that is not an integer",
    where: "config",
    text: "- job:\n    name: x\n    timeout: ten\n",
    fragment: 'expected an integer, got the string "ten"',
    line: 3,
    column: 14,
  },
  {
    name: "attempts of zero",
    where: "config",
    text: "- job:\n    name: x\n    attempts: 0\n",
    fragment: "expected an integer of at least 1, got 0",
    line: 3,
    column: 15,
  },
  {
    name: "voting that is not a boolean",
    where: "config",
    text: "- job:\n    name: x\n    voting: maybe\n",
    fragment: "expected true or false",
    line: 3,
    column: 13,
  },
  {
    name: "unknown parent",
    where: "config",
    text: "- job:\n    name: x\n    parent: bsae\n",
    fragment: 'unknown job "bsae"; did you mean "base"?',
    line: 3,
    column: 13,
  },
  {
    name: "unknown nodeset",
    where: "config",
    text: "- job:\n    name: x\n    nodeset: large\n",
    fragment: 'unknown nodeset "large"',
    line: 3,
    column: 14,
  },
  {
    name: "inline node without label",
    where: "config",
    text: "- job:\n    name: x\n    nodeset:\n      nodes:\n        - name: n1\n",
    fragment: 'missing required attribute "label"',
    line: 5,
    column: 11,
  },
  {
    name: "unknown semaphore",
    where: "config",
    text: "- job:\n    name: x\n    semaphore: deplyo\n",
    fragment: 'unknown semaphore "deplyo"; did you mean "deploy"?',
    line: 3,
    column: 16,
  },
  {
    name: "unknown semaphore in a list",
    where: "untrusted",
    text: "- job:\n    name: x\n    semaphores: [deplyo]\n",
    fragment: 'unknown semaphore "deplyo"; did you mean "deploy"?',
    line: 3,
    column: 18,
  },
  {
    name: "reference to a job left out for errors",
    where: "untrusted",
    text: "- job:\n    name: app-broken\n    timeout: 1h\n- project:\n    check:\n      jobs: [app-broken]\n",
    fragment: 'job "app-broken" is left out of the layout because its definition has errors',
    line: 6,
    column: 14,
  },
  {
    name: "unknown secret",
    where: "config",
    text: "- job:\n    name: x\n    secrets: [missing]\n",
    fragment: 'unknown secret "missing"',
    line: 3,
    column: 15,
  },
  {
    name: "unknown required project",
    where: "config",
    text: "- job:\n    name: x\n    required-projects: [org/nope]\n",
    fragment: 'unknown project "org/nope"',
    line: 3,
    column: 25,
  },
  {
    name: "unknown job dependency",
    where: "config",
    text: "- job:\n    name: x\n    dependencies: [nope]\n",
    fragment: 'unknown job "nope"',
    line: 3,
    column: 20,
  },
  {
    name: "files pattern that does not compile",
    where: "config",
    text: "- job:\n    name: x\n    files: ['^src/(']\n",
    fragment: 'invalid regular expression "^src/("',
    line: 3,
    column: 13,
  },
  {
    name: "branches pattern that does not compile",
    where: "config",
    text: "- job:\n    name: x\n    branches: stable/[\n",
    fragment: 'invalid regular expression "stable/["',
    line: 3,
    column: 15,
  },
  {
    name: "irrelevant-files as a mapping",
    where: "config",
    text: "- job:\n    name: x\n    irrelevant-files: {a: 1}\n",
    fragment: "expected a string or a list of strings, got a mapping",
    line: 3,
    column: 23,
  },
  {
    name: "vars as a list",
    where: "config",
    text: "- job:\n    name: x\n    vars: [1]\n",
    fragment: "expected a mapping, got a list",
    line: 3,
    column: 11,
  },
  {
    name: "run entry that is a number list",
    where: "config",
    text: "- job:\n    name: x\n    run:\n      - [a]\n",
    fragment: "expected a playbook path or a list of them",
    line: 4,
    column: 9,
  },
  {
    name: "invalid workspace scheme",
    where: "config",
    text: "- job:\n    name: x\n    workspace-scheme: flatt\n",
    fragment: 'invalid value "flatt"; did you mean "flat"?',
    line: 3,
    column: 23,
  },
  {
    name: "role without zuul project",
    where: "config",
    text: "- job:\n    name: x\n    roles:\n      - name: r\n",
    fragment: 'missing required attribute "zuul"',
    line: 4,
    column: 9,
  },
  {
    name: "base job in an untrusted project",
    where: "untrusted",
    text: "- job:\n    name: my-base\n    parent: null\n",
    fragment: "only config projects may define base jobs",
    line: 3,
    column: 13,
  },
  {
    name: "job defined in two projects",
    where: "untrusted",
    text: "- job:\n    name: unit\n",
    fragment: 'job "unit" is already defined in project "config"',
    line: 2,
    column: 5,
  },
  {
    name: "pipeline in an untrusted project",
    where: "untrusted",
    text: "- pipeline:\n    name: mine\n    manager: independent\n",
    fragment: "pipelines may only be defined in config projects",
    line: 1,
    column: 3,
  },
  {
    name: "pipeline without manager",
    where: "config",
    text: "- pipeline:\n    name: p\n",
    fragment: 'missing required attribute "manager"',
    line: 2,
    column: 5,
  },
  {
    name: "misspelt manager",
    where: "config",
    text: "- pipeline:\n    name: p\n    manager: dependant\n",
    fragment: 'invalid value "dependant"; did you mean "dependent"?',
    line: 3,
    column: 14,
  },
  {
    name: "invalid precedence",
    where: "config",
    text: "- pipeline:\n    name: p\n    manager: independent\n    precedence: urgent\n",
    fragment: 'invalid value "urgent"',
    line: 4,
    column: 17,
  },
  {
    name: "window-floor above window",
    where: "config",
    text: "- pipeline:\n    name: p\n    manager: dependent\n    window: 2\n    window-floor: 5\n",
    fragment: "window-floor 5 is above window 2",
    line: 5,
    column: 19,
  },
  {
    name: "negative window",
    where: "config",
    text: "- pipeline:\n    name: p\n    manager: dependent\n    window: -1\n",
    fragment: "expected an integer of at least 0, got -1",
    line: 4,
    column: 13,
  },
  {
    name: "trigger of an unknown connection",
    where: "config",
    text: "- pipeline:\n    name: p\n    manager: independent\n    trigger:\n      gerit:\n        - event: patchset-created\n",
    fragment: 'unknown connection "gerit"',
    line: 6,
    column: 9,
  },
  {
    name: "unknown gerrit event",
    where: "config",
    text: "- pipeline:\n    name: p\n    manager: independent\n    trigger:\n      gerrit:\n        - event: patchset-uploaded\n",
    fragment: 'unknown gerrit event "patchset-uploaded"',
    line: 6,
    column: 18,
  },
  {
    name: "misspelt trigger attribute",
    where: "config",
    text: "- pipeline:\n    name: p\n    manager: independent\n    trigger:\n      gerrit:\n        - event: comment-added\n          coment: recheck\n",
    fragment: 'unknown attribute "coment"; did you mean "comment"?',
    line: 7,
    column: 11,
  },
  {
    name: "trigger comment that does not compile",
    where: "config",
    text: "- pipeline:\n    name: p\n    manager: independent\n    trigger:\n      gerrit:\n        - event: comment-added\n          comment: (?i)^recheck(\n",
    fragment: 'invalid regular expression "(?i)^recheck("',
    line: 7,
    column: 20,
  },
  {
    name: "timer trigger without time",
    where: "config",
    text: "- pipeline:\n    name: p\n    manager: independent\n    trigger:\n      timer:\n        - jitter: 5\n",
    fragment: 'missing required attribute "time"',
    line: 6,
    column: 11,
  },
  {
    name: "timer trigger with a short cron",
    where: "config",
    text: "- pipeline:\n    name: p\n    manager: independent\n    trigger:\n      timer:\n        - time: '0 3 *'\n",
    fragment: 'invalid cron expression "0 3 *"',
    line: 6,
    column: 17,
  },
  {
    name: "github event unknown",
    where: "config",
    text: "- pipeline:\n    name: p\n    manager: independent\n    trigger:\n      github:\n        - event: pull-request\n",
    fragment: 'unknown github event "pull-request"',
    line: 6,
    column: 18,
  },
  {
    name: "reporter vote that is not an integer",
    where: "config",
    text: "- pipeline:\n    name: p\n    manager: independent\n    success:\n      gerrit:\n        Verified: one\n",
    fragment: 'label "Verified" must be an integer vote',
    line: 6,
    column: 9,
  },
  {
    name: "reporter submit that is not a boolean",
    where: "config",
    text: "- pipeline:\n    name: p\n    manager: dependent\n    success:\n      gerrit:\n        submit: 1\n",
    fragment: '"submit" must be true or false',
    line: 6,
    column: 9,
  },
  {
    name: "reporter of an unknown connection",
    where: "config",
    text: "- pipeline:\n    name: p\n    manager: independent\n    failure:\n      irc:\n        channel: x\n",
    fragment: 'unknown connection "irc"',
    line: 6,
    column: 9,
  },
  {
    name: "misspelt requirement",
    where: "config",
    text: "- pipeline:\n    name: p\n    manager: independent\n    require:\n      gerrit:\n        opne: true\n",
    fragment: 'unknown attribute "opne"; did you mean "open"?',
    line: 6,
    column: 9,
  },
  {
    name: "approval age without unit",
    where: "config",
    text: "- pipeline:\n    name: p\n    manager: independent\n    require:\n      gerrit:\n        approval:\n          - Code-Review: 2\n            newer-than: two days\n",
    fragment: 'invalid age "two days"',
    line: 8,
    column: 25,
  },
  {
    name: "approval vote that is a word",
    where: "config",
    text: "- pipeline:\n    name: p\n    manager: independent\n    require:\n      gerrit:\n        approval:\n          - Code-Review: high\n",
    fragment: "expected a vote value such as 1 or -2",
    line: 7,
    column: 26,
  },
  {
    name: "pipeline defined twice",
    where: "config",
    text: "- pipeline:\n    name: check\n    manager: independent\n",
    fragment: 'pipeline "check" is already defined in project "config"',
    line: 2,
    column: 5,
  },
  {
    name: "project-template without name",
    where: "config",
    text: "- project-template:\n    check:\n      jobs: [unit]\n",
    fragment: 'missing required attribute "name"',
    line: 2,
    column: 5,
  },
  {
    name: "unknown template",
    where: "untrusted",
    text: "- project:\n    templates: [pyhton]\n",
    fragment: 'unknown template "pyhton"; did you mean "python"?',
    line: 2,
    column: 16,
  },
  {
    name: "unknown job in a project pipeline",
    where: "untrusted",
    text: "- project:\n    check:\n      jobs: [unitt]\n",
    fragment: 'unknown job "unitt"; did you mean "unit"?',
    line: 3,
    column: 14,
  },
  {
    name: "job entry with two keys",
    where: "untrusted",
    text: "- project:\n    check:\n      jobs:\n        - {unit: {}, lint: {}}\n",
    fragment: "expected a job name or a mapping of one job name",
    line: 4,
    column: 11,
  },
  {
    name: "misspelt inline variant attribute",
    where: "untrusted",
    text: "- project:\n    check:\n      jobs:\n        - unit:\n            votign: false\n",
    fragment: 'unknown attribute "votign"; did you mean "voting"?',
    line: 5,
    column: 13,
  },
  {
    name: "inline variant with a wrong type",
    where: "untrusted",
    text: "- project:\n    check:\n      jobs:\n        - unit:\n            attempts: many\n",
    fragment: 'expected an integer, got the string "many"',
    line: 5,
    column: 23,
  },
  {
    name: "project pipeline as a list",
    where: "untrusted",
    text: "- project:\n    check: [unit]\n",
    fragment: "expected a mapping, got a list",
    line: 2,
    column: 12,
  },
  {
    name: "misspelt project pipeline attribute",
    where: "untrusted",
    text: "- project:\n    check:\n      jbos: [unit]\n",
    fragment: 'unknown attribute "jbos"; did you mean "jobs"?',
    line: 3,
    column: 7,
  },
  {
    name: "project outside the tenant",
    where: "config",
    text: "- project:\n    name: org/nope\n    check:\n      jobs: [unit]\n",
    fragment: 'project "org/nope" is not part of tenant "example"',
    line: 2,
    column: 5,
  },
  {
    name: "untrusted project configuring another",
    where: "untrusted",
    text: "- project:\n    name: org/lib\n    check:\n      jobs: [unit]\n",
    fragment: 'untrusted project "org/app" may only configure itself',
    line: 2,
    column: 5,
  },
  {
    name: "invalid merge mode",
    where: "untrusted",
    text: "- project:\n    merge-mode: fast-forward\n",
    fragment: 'invalid value "fast-forward"',
    line: 2,
    column: 17,
  },
  {
    name: "abstract job used directly",
    where: "untrusted",
    text: "- project:\n    check:\n      jobs:\n        - abstract-job\n",
    fragment: 'job "abstract-job" is abstract and cannot run directly',
    line: 4,
    column: 11,
  },
  {
    name: "inline variant of a final job",
    where: "untrusted",
    text: "- project:\n    check:\n      jobs:\n        - final-job:\n            voting: false\n",
    fragment: 'job "final-job" is final',
    line: 4,
    column: 11,
  },
  {
    name: "child job changing a final job",
    where: "untrusted",
    text: "- job:\n    name: child\n    parent: final-job\n    timeout: 10\n- project:\n    check:\n      jobs: [child]\n",
    fragment:
      'job "final-job" is final (declared at config/zuul.d/base.yaml:46), so job "child" cannot set "timeout"',
    line: 2,
    column: 5,
  },
  {
    name: "inheritance cycle",
    where: "untrusted",
    text: "- job:\n    name: a\n    parent: b\n- job:\n    name: b\n    parent: a\n- project:\n    check:\n      jobs: [a]\n",
    fragment: "inheritance cycle: a -> b -> a",
    line: 5,
    column: 5,
  },
  {
    name: "dependency cycle",
    where: "untrusted",
    text: "- project:\n    check:\n      jobs:\n        - unit:\n            dependencies: [lint]\n        - lint:\n            dependencies: [unit]\n",
    fragment: "job dependency cycle: unit -> lint -> unit",
    line: 4,
    column: 11,
  },
  {
    name: "hard dependency that does not run",
    where: "untrusted",
    text: "- project:\n    check:\n      jobs:\n        - unit:\n            dependencies: [lint]\n",
    fragment: 'job "unit" depends on "lint", which does not run',
    line: 4,
    column: 11,
  },
  {
    name: "secret of another project",
    where: "untrusted",
    text: "- job:\n    name: deploy\n    secrets: [config-secret]\n",
    fragment: 'secret "config-secret" is defined in project "config"',
    line: 3,
    column: 15,
  },
  {
    name: "secret without data",
    where: "config",
    text: "- secret:\n    name: s\n",
    fragment: 'missing required attribute "data"',
    line: 2,
    column: 5,
  },
  {
    name: "semaphore max of zero",
    where: "config",
    text: "- semaphore:\n    name: s\n    max: 0\n",
    fragment: "expected an integer of at least 1, got 0",
    line: 3,
    column: 10,
  },
  {
    name: "semaphore defined twice in two projects",
    where: "untrusted",
    text: "- semaphore:\n    name: deploy\n",
    fragment: 'semaphore "deploy" is already defined in project "config"',
    line: 2,
    column: 5,
  },
  {
    name: "nodeset with a repeated node name",
    where: "config",
    text: "- nodeset:\n    name: pair\n    nodes:\n      - name: n\n        label: a\n      - name: n\n        label: b\n",
    fragment: 'node name "n" is used twice',
    line: 6,
    column: 15,
  },
  {
    name: "nodeset group naming a missing node",
    where: "config",
    text: "- nodeset:\n    name: grouped\n    nodes:\n      - name: n\n        label: a\n    groups:\n      - name: g\n        nodes: [m]\n",
    fragment: 'group "g" names node "m", which is not a node of this nodeset',
    line: 8,
    column: 16,
  },
  {
    name: "misspelt queue attribute",
    where: "config",
    text: "- queue:\n    name: q\n    per_branch: true\n",
    fragment: 'unknown attribute "per_branch"; did you mean "per-branch"?',
    line: 3,
    column: 5,
  },
  {
    name: "section for a pipeline the tenant lacks",
    where: "untrusted",
    text: "- project:\n    experimental:\n      jobs: [unit]\n",
    fragment: 'pipeline "experimental", which tenant "example" does not define',
    line: 2,
    column: 5,
    severity: "warning",
  },
  {
    name: "timeout above the tenant maximum",
    where: "untrusted",
    text: "- job:\n    name: slow\n    timeout: 99999\n- project:\n    check:\n      jobs: [slow]\n",
    fragment: "timeout 99999 s is above the tenant's max-job-timeout of 10800 s",
    line: 6,
    column: 14,
  },
  {
    name: "nodeset above the tenant maximum",
    where: "untrusted",
    text: "- job:\n    name: big\n    nodeset:\n      nodes:\n        - {name: [a, b, c, d, e, f], label: x}\n- project:\n    check:\n      jobs: [big]\n",
    fragment: "the nodeset has 6 nodes, above the tenant's max-nodes-per-job of 5",
    line: 8,
    column: 14,
  },
  {
    name: "regex with lookahead warns",
    where: "config",
    text: "- job:\n    name: x\n    branches: ^(?!stable).*$\n",
    fragment: "is not RE2 syntax",
    line: 3,
    column: 15,
    severity: "warning",
  },
];

function caseFiles(entry: ErrorCase): Record<string, Record<string, string>> {
  const config = {
    "zuul.d/base.yaml": BASE_PIPELINES + BASE_OBJECTS,
    ...(entry.where === "config" ? { "zuul.d/case.yaml": entry.text } : {}),
  };
  const app: Record<string, string> =
    entry.where === "untrusted" ? { ".zuul.yaml": entry.text } : {};
  return { config, "org/app": app, "org/lib": {} };
}

function describeErrors(errors: readonly ConfigError[]): string {
  return errors.map(formatConfigError).join("\n");
}

test("base layout of the error table loads cleanly", async () => {
  const loaded = await loadTexts({ config: { "zuul.yaml": BASE_PIPELINES + BASE_OBJECTS } });
  assert.ok(loaded.layout !== null, describeErrors(loaded.errors));
  assert.equal(describeErrors(loaded.errors), "");
});

test("error table has at least 60 cases", () => {
  assert.ok(CASES.length >= 60, `${CASES.length} cases`);
});

for (const entry of CASES) {
  test(`error: ${entry.name}`, async () => {
    const loaded = await loadTexts(caseFiles(entry));
    const file = entry.where === "config" ? "zuul.d/case.yaml" : ".zuul.yaml";
    const project = entry.where === "config" ? "config" : "org/app";
    const found = loaded.errors.find((error) => error.message.includes(entry.fragment));
    assert.ok(
      found !== undefined,
      `no error with "${entry.fragment}" in:\n${describeErrors(loaded.errors)}`,
    );
    assert.is(found.file, file);
    assert.is(found.project, project);
    assert.is(found.severity, entry.severity ?? "error");
    assert.is(`${found.line}:${found.column}`, `${entry.line}:${entry.column}`);
    assert.ok(found.object !== "", "the error names its object");
    if (entry.where === "config" && (entry.severity ?? "error") === "error") {
      assert.is(loaded.layout, null, "an error in a config project fails the load");
    }
    if (entry.where === "untrusted") {
      assert.ok(loaded.layout !== null, "an error in an untrusted project keeps the layout");
    }
  });
}

test("tenant config errors name their position", () => {
  const cases: [string, string, number, number][] = [
    ["- tenant:\n    source: {}\n", 'missing required attribute "name"', 2, 5],
    [
      "- tenant:\n    name: t\n    sorce: {}\n",
      'unknown attribute "sorce"; did you mean "source"?',
      3,
      5,
    ],
    [
      "- tenant:\n    name: t\n    source:\n      gerrit:\n        config-projects:\n          - p:\n              include: [jobs]\n",
      'unknown configuration object type "jobs"',
      7,
      24,
    ],
    [
      "- tenant:\n    name: t\n    max-nodes-per-job: many\n    source: {}\n",
      "expected an integer",
      3,
      24,
    ],
    ["- tennant:\n    name: t\n", 'unknown attribute "tennant"; did you mean "tenant"?', 1, 3],
    [
      "- tenant:\n    name: t\n    source: {}\n- tenant:\n    name: t\n    source: {}\n",
      'tenant "t" is defined twice',
      4,
      3,
    ],
  ];
  for (const [text, fragment, line, column] of cases) {
    const { errors } = parseTenantConfig(text, "main.yaml");
    const found = errors.find((error) => error.message.includes(fragment));
    assert.ok(found !== undefined, `${fragment}: ${describeErrors(errors)}`);
    assert.is(`${found.line}:${found.column}`, `${line}:${column}`, fragment);
  }
});

test("an example accompanies errors where one helps", async () => {
  const loaded = await loadTexts({
    config: { "zuul.yaml": BASE_PIPELINES + BASE_OBJECTS + "- job:\n    run: x.yaml\n" },
  });
  const error = loaded.errors.find((entry) => entry.message.includes('"name"'));
  assert.ok(error?.example?.includes("- job:") === true, describeErrors(loaded.errors));
  assert.match(formatConfigError(error), /for example:\n {4}- job:/);
});

test.run();
