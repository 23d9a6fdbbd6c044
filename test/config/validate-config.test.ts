// The `gatehouse validate-config` command through the real CLI: output format and exit status.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { test } from "uvu";
import * as assert from "uvu/assert";

import { BASE_PIPELINES } from "./helpers.js";

const CLI = join(process.cwd(), "dist", "scripts", "gatehouse.js");

const TENANT = `- tenant:
    name: example
    source:
      gerrit:
        config-projects: [config]
        untrusted-projects: [org/app]
`;

function workspace(appConfig: string, configExtra = ""): { root: string; args: string[] } {
  const root = mkdtempSync(join(tmpdir(), "gatehouse-validate-"));
  mkdirSync(join(root, "config"));
  mkdirSync(join(root, "app"));
  writeFileSync(join(root, "main.yaml"), TENANT);
  writeFileSync(
    join(root, "config", "zuul.yaml"),
    BASE_PIPELINES + "- job:\n    name: base\n    parent: null\n" + configExtra,
  );
  writeFileSync(join(root, "app", ".zuul.yaml"), appConfig);
  return {
    root,
    args: [
      "validate-config",
      "--tenant-config",
      join(root, "main.yaml"),
      "--project-dir",
      `config=${join(root, "config")}`,
      "--project-dir",
      `org/app=${join(root, "app")}`,
    ],
  };
}

function run(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("valid configuration exits 0", () => {
  const { root, args } = workspace("- project:\n    check:\n      jobs: [noop]\n");
  const result = run(args);
  rmSync(root, { recursive: true });
  assert.is(result.status, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /0 errors, 0 warnings/);
});

test("error prints file line and column and exits 1", () => {
  const { root, args } = workspace("- project:\n    check:\n      jobs: [unitt]\n");
  const result = run(args);
  rmSync(root, { recursive: true });
  assert.is(result.status, 1);
  const line = `${join(root, "app", ".zuul.yaml")}:3:14: error: project attribute "check.jobs": unknown job "unitt"`;
  assert.ok(result.stdout.includes(line), result.stdout);
});

test("problems print in file order", () => {
  // The unknown job is found after parsing, the wrong type while parsing, yet it comes first.
  const text = "- project:\n    check:\n      jobs: [unitt]\n- job:\n    name: x\n    voting: 3\n";
  const { root, args } = workspace(text);
  const result = run(args);
  rmSync(root, { recursive: true });
  assert.is(result.status, 1);
  const positions = result.stdout
    .split("\n")
    .filter((line) => line.includes(": error: "))
    .map((line) => /\.zuul\.yaml:(\d+:\d+):/.exec(line)?.[1]);
  assert.equal(positions, ["3:14", "6:13"]);
});

test("warnings only exit 0", () => {
  const { root, args } = workspace("- project:\n    nightly:\n      jobs: [noop]\n");
  const result = run(args);
  rmSync(root, { recursive: true });
  assert.is(result.status, 0);
  assert.match(result.stdout, /\.zuul\.yaml:2:5: warning: .*pipeline "nightly"/);
});

test("json output lists errors and warnings", () => {
  const { root, args } = workspace("- job:\n    name: x\n    voting: 3\n");
  const result = run([...args, "--json"]);
  rmSync(root, { recursive: true });
  assert.is(result.status, 1);
  const report = JSON.parse(result.stdout) as {
    errors: { line: number; attribute: string }[];
    warnings: unknown[];
  };
  assert.is(report.errors.length, 1);
  assert.is(report.errors[0]?.line, 3);
  assert.is(report.errors[0]?.attribute, "voting");
  assert.equal(report.warnings, []);
});

test("bad arguments exit 2", () => {
  assert.is(run(["validate-config"]).status, 2);
  assert.is(run(["validate-config", "--tenant-config", "/nonexistent/main.yaml"]).status, 2);
  assert.is(run(["validate-config", "--no-such-option"]).status, 2);
  const { root, args } = workspace("");
  assert.is(run([...args, "--project-dir", "broken"]).status, 2);
  assert.is(run([...args, "--connection", "gerrit=ftp"]).status, 2);
  rmSync(root, { recursive: true });
});

test("unknown project-dir name exits 2", () => {
  const { root, args } = workspace("");
  const result = run([...args, "--project-dir", `org/ap=${join(root, "app")}`]);
  rmSync(root, { recursive: true });
  assert.is(result.status, 2);
  assert.match(
    result.stderr,
    /--project-dir org\/ap: no tenant in the tenant config has a project/,
  );
  assert.match(result.stderr, /did you mean "org\/app"\?/);
});

test("unchecked projects get one warning", () => {
  const { root, args } = workspace("- project:\n    check:\n      jobs: [noop]\n");
  // Leave out org/app's directory: the last two arguments are its --project-dir.
  const result = run(args.slice(0, -2));
  rmSync(root, { recursive: true });
  assert.is(result.status, 0, result.stdout);
  const warnings = result.stdout.split("\n").filter((line) => line.includes(": warning: "));
  assert.is(warnings.length, 1, result.stdout);
  assert.match(warnings[0] ?? "", /1 project has no --project-dir.*: "org\/app"$/);
  assert.match(result.stdout, /^0 errors, 1 warning$/m);
});

test.run();
