// Configuration syntax through the real loader: RE2 patterns with inline flags, encrypted
// secrets in both YAML forms, the implicit `timer` and `zuul` connections, and the object and
// attribute path every error carries.
import { test } from "uvu";
import * as assert from "uvu/assert";

import {
  compilePattern,
  formatConfigError,
  freezeJobGraph,
  matchesAtStart,
  searches,
} from "../../runtime/config/index.js";
import { needsBacktracking } from "../../runtime/config/regex.js";
import { BASE_PIPELINES, loadTexts, type Loaded } from "./helpers.js";

const BASE_JOB = "- job:\n    name: base\n    parent: null\n";

function errorsOf(loaded: Loaded): string[] {
  return loaded.errors.filter((error) => error.severity === "error").map(formatConfigError);
}

test("inline flags compile with RE2", () => {
  assert.is(needsBacktracking("(?i)^recheck$"), false, "RE2 accepts (?i)");
  assert.ok(compilePattern("(?i)^recheck$").test("RECHECK"));
  assert.ok(matchesAtStart("(?i)stable/.*", "Stable/2024.1"));
  assert.not.ok(matchesAtStart("stable/.*", "Stable/2024.1"));
  assert.ok(searches("(?i)please recheck", "Could you PLEASE RECHECK this?"));
  assert.ok(matchesAtStart("(?s)a.b", "a\nb"), "(?s) lets the dot match a newline");
  assert.not.ok(matchesAtStart("a.b", "a\nb"));
});

test("inline flags work in a loaded layout", async () => {
  const pipelines = BASE_PIPELINES.replace(
    "        - event: patchset-created\n",
    "        - event: patchset-created\n        - event: comment-added\n" +
      "          comment: (?i)^\\s*recheck\\s*$\n",
  );
  const loaded = await loadTexts({
    config: {
      "zuul.yaml":
        pipelines +
        BASE_JOB +
        "- job:\n    name: stable-only\n    branches: (?i)^stable/.*\n" +
        "- project:\n    name: org/app\n    check:\n      jobs: [stable-only]\n",
    },
    "org/app": {},
  });
  assert.equal(errorsOf(loaded), []);
  const layout = loaded.layout;
  if (layout === null) throw new Error("layout failed to load");

  const filters = layout.pipelines.check?.triggers[0]?.filters ?? [];
  const comment = filters[1]?.comment[0] ?? "";
  assert.is(comment, "(?i)^\\s*recheck\\s*$");
  assert.ok(searches(comment, "  ReCheck "));

  for (const [branch, runs] of [
    ["Stable/1.0", true],
    ["stable/1.0", true],
    ["master", false],
  ] as const) {
    const frozen = freezeJobGraph(layout, {
      project: "org/app",
      branch,
      pipeline: "check",
      files: null,
    });
    if (!frozen.ok) throw new Error(frozen.errors.map(formatConfigError).join("\n"));
    const names = frozen.graph.jobs.map((job) => job.name);
    assert.equal(names, runs ? ["stable-only"] : [], branch);
  }
});

test("encrypted secrets in scalar and list form", async () => {
  const secrets = [
    "- secret:",
    "    name: site-token",
    "    data:",
    "      token: !encrypted/pkcs1-oaep QUJD",
    "      chunks: !encrypted/pkcs1-oaep",
    "        - REVG",
    "        - R0hJ",
    "      nested:",
    "        user: deploy",
    "        password: !encrypted/pkcs1-oaep [SktM]",
    "",
  ].join("\n");
  const loaded = await loadTexts({
    config: { "zuul.yaml": BASE_PIPELINES + BASE_JOB },
    "org/app": {
      ".zuul.yaml": secrets + "- job:\n    name: deploy\n    secrets: [site-token]\n",
    },
  });
  assert.equal(errorsOf(loaded), []);
  const data = loaded.layout?.secrets["site-token"]?.data;
  assert.equal(data, {
    token: { "!encrypted/pkcs1-oaep": ["QUJD"] },
    chunks: { "!encrypted/pkcs1-oaep": ["REVG", "R0hJ"] },
    nested: { user: "deploy", password: { "!encrypted/pkcs1-oaep": ["SktM"] } },
  });
});

test("encrypted tag on a mapping is an error", async () => {
  const loaded = await loadTexts({
    config: {
      "zuul.d/base.yaml": BASE_PIPELINES + BASE_JOB,
      "zuul.d/secret.yaml":
        "- secret:\n    name: s\n    data:\n      token: !encrypted/pkcs1-oaep {a: b}\n",
    },
  });
  const error = loaded.errors.find((entry) => entry.message.includes("!encrypted/pkcs1-oaep"));
  assert.ok(error !== undefined, errorsOf(loaded).join("\n"));
  assert.is(error.file, "zuul.d/secret.yaml");
  assert.is(`${error.line}:${error.column}`, "4:36");
  assert.match(error.message, /on a mapping; it must tag one string or a list of strings/);
  assert.is(loaded.layout, null);
});

test("timer and zuul connections are implicit", async () => {
  const pipelines = [
    "- pipeline:",
    "    name: periodic",
    "    manager: independent",
    "    trigger:",
    "      timer:",
    "        - time: '0 3 * * *'",
    "- pipeline:",
    "    name: follow-up",
    "    manager: independent",
    "    trigger:",
    "      zuul:",
    "        - event: parent-change-enqueued",
    "          pipeline: check",
    "",
  ].join("\n");
  // The test connections name only gerrit, github and smtp.
  const loaded = await loadTexts({
    config: { "zuul.yaml": BASE_PIPELINES + pipelines + BASE_JOB },
  });
  assert.equal(errorsOf(loaded), []);
  const periodic = loaded.layout?.pipelines.periodic?.triggers[0];
  assert.is(periodic?.connection, "timer");
  assert.is(periodic?.filters[0]?.time, "0 3 * * *");
  const followUp = loaded.layout?.pipelines["follow-up"]?.triggers[0];
  assert.is(followUp?.connection, "zuul");
  assert.equal(followUp?.filters[0]?.pipeline, ["check"]);
});

test("errors name object and attribute path", async () => {
  const cases: [string, string, string, string][] = [
    ["- job:\n    name: unit\n    vars: [1]\n", 'job "unit"', "vars", "expected a mapping"],
    [
      "- job:\n    name: unit\n    nodeset:\n      nodes:\n        - name: a\n          lable: x\n",
      'job "unit"',
      "nodeset.nodes[0].lable",
      'unknown attribute "lable"',
    ],
    [
      "- pipeline:\n    name: p\n    manager: independent\n    trigger:\n      gerrit:\n" +
        "        - event: comment-added\n          approval:\n            - Verified: yes\n",
      'pipeline "p"',
      "trigger.gerrit[0].approval[0].Verified",
      "expected",
    ],
    [
      "- project:\n    name: org/app\n    check:\n      jobs:\n        - unit:\n            voting: maybe\n",
      'job "unit" in project "org/app"',
      "voting",
      "expected true or false",
    ],
  ];
  for (const [text, object, attribute, fragment] of cases) {
    const loaded = await loadTexts({
      config: { "zuul.d/base.yaml": BASE_PIPELINES + BASE_JOB, "zuul.d/case.yaml": text },
      "org/app": {},
    });
    const error = loaded.errors.find((entry) => entry.message.includes(fragment));
    assert.ok(error !== undefined, `${fragment}: ${errorsOf(loaded).join("\n")}`);
    assert.is(error.file, "zuul.d/case.yaml");
    assert.is(error.object, object, text);
    assert.is(error.attribute, attribute, text);
    assert.ok(error.line > 0, "the error has a line");
    assert.ok(error.column > 0, "the error has a column");
  }
});

test.run();
