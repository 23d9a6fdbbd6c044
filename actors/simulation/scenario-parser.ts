// Parses and validates a scenario file. Every error names the step and its line, so a user can
// fix the scenario without reading the simulator.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";

import { BUILD_RESULTS, type BuildResult } from "../../messages/build.js";

import {
  ScenarioError,
  STEP_KINDS,
  type BuildSelector,
  type FileMap,
  type Scenario,
  type ScriptedResult,
  type Step,
  type StepKind,
  type StepPosition,
} from "./scenario.js";

/** Name of the trusted config project every scenario tenant has. */
export const CONFIG_PROJECT = "config";

const TOP_LEVEL_KEYS = ["name", "tenant", "config", "projects", "results", "steps"];

type Fields = Record<string, unknown>;

/** Reads the fields of one step or entry and reports problems with its position. */
class FieldReader {
  constructor(
    private readonly fields: Fields,
    private readonly fail: (reason: string) => never,
  ) {}

  /** Rejects any key not in `allowed`. */
  only(allowed: readonly string[]): this {
    for (const key of Object.keys(this.fields)) {
      if (!allowed.includes(key)) {
        this.fail(`unknown key "${key}"; expected one of: ${allowed.join(", ")}`);
      }
    }
    return this;
  }

  has(key: string): boolean {
    return this.fields[key] !== undefined && this.fields[key] !== null;
  }

  string(key: string): string {
    const value = this.optionalString(key);
    if (value === null) this.fail(`missing "${key}"`);
    return value;
  }

  optionalString(key: string): string | null {
    const value = this.fields[key];
    if (value === undefined || value === null) return null;
    if (typeof value === "string") return value;
    if (typeof value === "number") return String(value);
    return this.fail(`"${key}" must be a string, not ${describe(value)}`);
  }

  strings(key: string): string[] {
    const value = this.fields[key];
    if (value === undefined || value === null) return [];
    const list = Array.isArray(value) ? (value as unknown[]) : [value];
    return list.map((entry) => {
      if (typeof entry === "string") return entry;
      if (typeof entry === "number") return String(entry);
      return this.fail(`"${key}" must be a string or a list of strings, not ${describe(entry)}`);
    });
  }

  files(key: string): FileMap | null {
    const value = this.fields[key];
    if (value === undefined || value === null) return null;
    return toFileMap(value, `"${key}"`, this.fail);
  }

  labels(key: string): Record<string, number> {
    const value = this.fields[key];
    if (value === undefined || value === null) return {};
    if (typeof value !== "object" || Array.isArray(value)) {
      return this.fail(`"${key}" must be a map of label to vote, such as {Code-Review: 2}`);
    }
    const labels: Record<string, number> = {};
    for (const [label, vote] of Object.entries(value as Fields)) {
      if (typeof vote !== "number" || !Number.isInteger(vote)) {
        this.fail(`vote of label "${label}" must be an integer, not ${describe(vote)}`);
      }
      labels[label] = vote;
    }
    return labels;
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  return `${typeof value} ${JSON.stringify(value)}`;
}

function toFileMap(value: unknown, what: string, fail: (reason: string) => never): FileMap {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail(`${what} must be a map of file path to content`);
  }
  const files: Record<string, string> = {};
  for (const [path, content] of Object.entries(value as Fields)) {
    if (typeof content !== "string") {
      fail(`content of file "${path}" in ${what} must be a string, not ${describe(content)}`);
    }
    files[path] = content;
  }
  return files;
}

function lineOf(node: Node | null | undefined, lines: LineCounter): number {
  const offset = node?.range?.[0];
  return offset === undefined ? 1 : lines.linePos(offset).line;
}

/** Parses a scenario file's text; throws ScenarioError for anything invalid. */
export function parseScenario(text: string, file: string): Scenario {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const yamlError = document.errors[0];
  if (yamlError !== undefined) {
    const line = lines.linePos(yamlError.pos[0]).line;
    throw new ScenarioError(
      `${file} is not valid YAML: ${yamlError.message}`,
      line,
      stepAround(document.contents, yamlError.pos[0], lines),
    );
  }
  const root = document.contents;
  if (!isMap(root)) {
    throw new ScenarioError(`${file} must be a map with "config", "projects" and "steps"`, 1);
  }
  const top = root.toJSON() as Fields;
  const topFail = (reason: string): never => {
    throw new ScenarioError(reason, 1);
  };
  new FieldReader(top, topFail).only(TOP_LEVEL_KEYS);
  const lineOfKey = (key: string): number => lineOf(root.get(key, true), lines);

  const reader = new FieldReader(top, (reason) => {
    throw new ScenarioError(reason, 1);
  });
  const name = reader.optionalString("name") ?? file;
  const tenant = reader.optionalString("tenant") ?? "example";
  const config = toFileMap(top["config"] ?? {}, '"config"', (reason) => {
    throw new ScenarioError(reason, lineOfKey("config"));
  });
  const projects = parseProjects(top["projects"], lineOfKey("projects"));

  const stepsNode = root.get("steps", true);
  if (!isSeq(stepsNode)) {
    throw new ScenarioError('"steps" must be a list of steps', lineOfKey("steps"));
  }
  const known = new Set([CONFIG_PROJECT, ...projects.map((project) => project.name)]);
  const steps = stepsNode.items.map((node, index) =>
    parseStep(node as Node, { index: index + 1, line: lineOf(node as Node, lines) }, known),
  );
  checkSymbols(steps);

  const proposed = new Set(steps.flatMap((step) => (step.kind === "propose" ? [step.change] : [])));
  const resultsNode = root.get("results", true);
  const results: ScriptedResult[] = [];
  if (resultsNode !== undefined) {
    if (!isSeq(resultsNode)) {
      throw new ScenarioError('"results" must be a list', lineOfKey("results"));
    }
    for (const node of resultsNode.items) {
      results.push(parseResult(node as Node, lineOf(node as Node, lines), proposed));
    }
  }
  return { name, tenant, config, projects, results, steps };
}

/** Finds the step whose text contains `offset`, for errors found while reading its YAML. */
function stepAround(
  root: unknown,
  offset: number,
  lines: LineCounter,
): (StepPosition & { kind: string }) | null {
  if (!isMap(root)) return null;
  const steps = root.get("steps", true);
  if (!isSeq(steps)) return null;
  let found: (StepPosition & { kind: string }) | null = null;
  steps.items.forEach((item, index) => {
    const node = item as Node;
    const start = node.range?.[0];
    if (start === undefined || start > offset) return;
    const key = isMap(node) ? node.items[0]?.key : undefined;
    const kind = isScalar(key) && typeof key.value === "string" ? key.value : "?";
    found = { index: index + 1, line: lineOf(node, lines), kind };
  });
  return found;
}

function parseProjects(value: unknown, line: number): Scenario["projects"] {
  const fail = (reason: string): never => {
    throw new ScenarioError(reason, line);
  };
  if (value === undefined || value === null) {
    return fail('"projects" is missing; name at least one untrusted project, such as org/project1');
  }
  if (typeof value !== "object" || Array.isArray(value)) {
    return fail('"projects" must be a map of project name to {files: ...}');
  }
  return Object.entries(value as Fields).map(([name, entry]) => {
    if (name === CONFIG_PROJECT)
      fail(`"${CONFIG_PROJECT}" is the config project; set its files in "config"`);
    const fields = (entry ?? {}) as Fields;
    const projectReader = new FieldReader(fields, (reason) => fail(`project "${name}": ${reason}`));
    projectReader.only(["files"]);
    return { name, files: projectReader.files("files") ?? {} };
  });
}

function parseResult(node: Node, line: number, proposed: Set<string>): ScriptedResult {
  const fail = (reason: string): never => {
    throw new ScenarioError(`result: ${reason}`, line);
  };
  if (!isMap(node)) fail("each result must be a map such as {job: test, result: FAILURE}");
  const fields = node.toJSON() as Fields;
  const reader = new FieldReader(fields, fail).only([
    "job",
    "change",
    "includes",
    "result",
    "results",
  ]);
  const change = reader.optionalString("change");
  const includes = reader.optionalString("includes");
  for (const symbol of [change, includes]) {
    if (symbol !== null && !proposed.has(symbol)) {
      fail(`unknown change "${symbol}"; no step proposes it`);
    }
  }
  if (!("results" in fields) && !("result" in fields)) fail('missing "result" or "results"');
  const raw = "results" in fields ? fields["results"] : [fields["result"]];
  if (!Array.isArray(raw) || raw.length === 0) fail('"results" must be a non-empty list');
  const results = (raw as unknown[]).map((value) => {
    if (value === null) return null;
    if (typeof value === "string" && (BUILD_RESULTS as readonly string[]).includes(value)) {
      return value as BuildResult;
    }
    const given = typeof value === "string" ? JSON.stringify(value) : describe(value);
    return fail(`unknown result ${given}; expected null or one of ${BUILD_RESULTS.join(", ")}`);
  });
  return { job: reader.string("job"), change, includes, results, line };
}

/** Splits a step node into its kind and its value: `settle`, `{tick: 60}`, `{propose: {...}}`. */
function stepKindAndValue(node: Node, position: StepPosition): { kind: StepKind; value: unknown } {
  let kind: string;
  let value: unknown = null;
  if (isScalar(node) && typeof node.value === "string") {
    kind = node.value;
  } else if (isMap(node) && node.items.length === 1) {
    const fields = node.toJSON() as Fields;
    kind = Object.keys(fields)[0] ?? "";
    value = fields[kind];
  } else {
    throw new ScenarioError(
      "a step must be one key with its value, such as `- approve: A`, or a bare word such as `- settle`",
      position.line,
      { ...position, kind: "?" },
    );
  }
  if (!(STEP_KINDS as readonly string[]).includes(kind)) {
    throw new ScenarioError(
      `unknown step "${kind}"; expected one of: ${STEP_KINDS.join(", ")}`,
      position.line,
      { ...position, kind },
    );
  }
  return { kind: kind as StepKind, value };
}

function parseStep(node: Node, position: StepPosition, projects: Set<string>): Step {
  const { kind, value } = stepKindAndValue(node, position);
  const fail = (reason: string): never => {
    throw new ScenarioError(reason, position.line, { ...position, kind });
  };
  // Shorthands: a bare value names the change (or the seconds of a tick).
  const asFields = (shorthand: string): Fields => {
    if (value === null || value === undefined) return {};
    if (typeof value === "object" && !Array.isArray(value)) return value as Fields;
    return { [shorthand]: value };
  };
  const project = (name: string): string => {
    if (!projects.has(name)) {
      fail(`unknown project "${name}"; the scenario's projects are: ${[...projects].join(", ")}`);
    }
    return name;
  };
  const base = { ...position };
  switch (kind) {
    case "propose": {
      const r = new FieldReader(asFields("change"), fail).only([
        "change",
        "project",
        "branch",
        "files",
        "parent",
        "depends-on",
        "message",
        "topic",
      ]);
      const firstProject = [...projects].find((name) => name !== CONFIG_PROJECT) ?? CONFIG_PROJECT;
      return {
        ...base,
        kind,
        change: r.string("change"),
        project: project(r.optionalString("project") ?? firstProject),
        branch: r.optionalString("branch") ?? "master",
        files: r.files("files") ?? {},
        parent: r.optionalString("parent"),
        dependsOn: r.strings("depends-on"),
        message: r.optionalString("message"),
        topic: r.optionalString("topic"),
      };
    }
    case "new-patchset": {
      const fields = asFields("change");
      const r = new FieldReader(fields, fail).only([
        "change",
        "files",
        "parent",
        "depends-on",
        "message",
      ]);
      return {
        ...base,
        kind,
        change: r.string("change"),
        files: r.files("files"),
        parent: "parent" in fields ? r.optionalString("parent") : undefined,
        dependsOn: "depends-on" in fields ? r.strings("depends-on") : null,
        message: r.optionalString("message"),
      };
    }
    case "review": {
      const r = new FieldReader(asFields("change"), fail).only([
        "change",
        "labels",
        "comment",
        "reviewer",
      ]);
      return {
        ...base,
        kind,
        change: r.string("change"),
        labels: r.labels("labels"),
        comment: r.optionalString("comment") ?? "",
        reviewer: r.optionalString("reviewer") ?? "reviewer",
      };
    }
    case "approve": {
      const changes = new FieldReader({ changes: value }, fail).strings("changes");
      if (changes.length === 0) fail("name the change or list of changes to approve");
      return { ...base, kind, changes };
    }
    case "comment": {
      const r = new FieldReader(asFields("change"), fail).only(["change", "text"]);
      return { ...base, kind, change: r.string("change"), text: r.string("text") };
    }
    case "abandon":
    case "restore":
    case "merge": {
      const r = new FieldReader(asFields("change"), fail).only(["change"]);
      return { ...base, kind, change: r.string("change") };
    }
    case "push": {
      const r = new FieldReader(asFields("project"), fail).only([
        "project",
        "branch",
        "files",
        "name",
      ]);
      return {
        ...base,
        kind,
        project: project(r.string("project")),
        branch: r.optionalString("branch") ?? "master",
        files: r.files("files") ?? {},
        name: r.optionalString("name"),
      };
    }
    case "hold":
    case "release":
    case "unhold": {
      const r = new FieldReader(asFields("job"), fail).only(["job", "change"]);
      const selector: BuildSelector = {
        job: r.optionalString("job"),
        change: r.optionalString("change"),
      };
      if (kind !== "release" && selector.job === null && selector.change === null) {
        fail(`name the job (and optionally the change) to ${kind}, such as {job: test}`);
      }
      return { ...base, kind, ...selector };
    }
    case "enqueue": {
      const r = new FieldReader(asFields("change"), fail).only(["change", "pipeline"]);
      return { ...base, kind, change: r.string("change"), pipeline: r.string("pipeline") };
    }
    case "enqueue-ref": {
      const r = new FieldReader(asFields("project"), fail).only(["project", "ref", "pipeline"]);
      return {
        ...base,
        kind,
        project: project(r.string("project")),
        ref: r.optionalString("ref") ?? "refs/heads/master",
        pipeline: r.string("pipeline"),
      };
    }
    case "dequeue": {
      const r = new FieldReader(asFields("change"), fail).only([
        "change",
        "pipeline",
        "project",
        "ref",
      ]);
      const change = r.optionalString("change");
      const ref = r.optionalString("ref");
      if (change === null && ref === null) fail('name the "change", or the "project" and "ref"');
      return {
        ...base,
        kind,
        pipeline: r.string("pipeline"),
        change,
        project: r.has("project") ? project(r.string("project")) : null,
        ref,
      };
    }
    case "promote": {
      const r = new FieldReader(asFields("pipeline"), fail).only(["pipeline", "changes"]);
      const changes = r.strings("changes");
      if (changes.length === 0) fail('list the "changes" to promote');
      return { ...base, kind, pipeline: r.string("pipeline"), changes };
    }
    case "reconfigure": {
      const r = new FieldReader(asFields("config"), fail).only(["config"]);
      return { ...base, kind, config: r.files("config") };
    }
    case "tick": {
      const seconds = typeof value === "number" ? value : Number.NaN;
      if (!Number.isFinite(seconds) || seconds < 0) {
        fail(`tick takes a number of seconds of at least 0, not ${describe(value)}`);
      }
      return { ...base, kind, seconds };
    }
    case "settle":
    case "pause":
    case "resume":
      if (value !== null) fail(`"${kind}" takes no value`);
      return { ...base, kind };
  }
}

/** Checks that every change symbol is proposed once, before any step that names it. */
function checkSymbols(steps: readonly Step[]): void {
  const proposed = new Set<string>();
  for (const step of steps) {
    const fail = (reason: string): never => {
      throw new ScenarioError(reason, step.line, step);
    };
    const need = (symbol: string | null | undefined): void => {
      if (symbol !== null && symbol !== undefined && !proposed.has(symbol)) {
        fail(`unknown change "${symbol}"; propose it in an earlier step`);
      }
    };
    switch (step.kind) {
      case "propose":
        if (proposed.has(step.change)) fail(`change "${step.change}" is already proposed`);
        need(step.parent);
        step.dependsOn.forEach(need);
        proposed.add(step.change);
        break;
      case "new-patchset":
        need(step.change);
        need(step.parent);
        step.dependsOn?.forEach(need);
        break;
      case "approve":
      case "promote":
        step.changes.forEach(need);
        break;
      case "review":
      case "comment":
      case "abandon":
      case "restore":
      case "merge":
      case "enqueue":
        need(step.change);
        break;
      case "hold":
      case "release":
      case "unhold":
      case "dequeue":
        need(step.change);
        break;
      case "push":
      case "enqueue-ref":
      case "reconfigure":
      case "tick":
      case "settle":
      case "pause":
      case "resume":
        break;
    }
  }
}
