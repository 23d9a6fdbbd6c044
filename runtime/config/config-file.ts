// One project configuration file: a YAML list of single-key mappings (`- job: {...}`), each parsed
// with its object's schema. Object types the tenant excludes for the project are skipped.
import { isMap, isScalar, isSeq, type Node } from "yaml";

import type { QueueConfig, SecretConfig, SemaphoreConfig } from "../../messages/layout.js";
import type { ConnectionDrivers } from "./connections.js";
import { FileReader, type FileOrigin, type ObjectReader } from "./fields.js";
import { JOB_EXAMPLE, JOB_KEYS, readJob } from "./job.js";
import { NODESET_KEYS, readNodesetBody } from "./nodeset.js";
import { emptyParsedFile, type ParsedFile } from "./parsed.js";
import { PIPELINE_EXAMPLE, PIPELINE_KEYS, readPipeline } from "./pipeline.js";
import { readProject } from "./project.js";
import { parseYamlFile } from "./yaml-file.js";

const OBJECT_KINDS = [
  "pipeline",
  "job",
  "project",
  "project-template",
  "nodeset",
  "semaphore",
  "queue",
  "secret",
  "pragma",
];

const FILE_EXAMPLE = `- job:
    name: unit-tests
- project:
    check:
      jobs: [unit-tests]`;

export interface ConfigFileOptions {
  readonly drivers: ConnectionDrivers;
  /** Object types to load from this project. */
  readonly include: readonly string[];
  /** Whether jobs and project stanzas get the file's branch as implied branch matcher. */
  readonly impliedBranchMatchers: boolean;
}

/** Parses one configuration file of a project branch, reporting every problem as an error. */
export function parseConfigFile(
  text: string,
  origin: FileOrigin,
  options: ConfigFileOptions,
): ParsedFile {
  const parsed = emptyParsedFile();
  const yaml = parseYamlFile(text);
  const reader = new FileReader(yaml, origin, parsed.errors);
  for (const problem of yaml.problems) {
    parsed.errors.push({
      severity: "error",
      project: origin.project,
      branch: origin.branch,
      file: origin.file,
      line: problem.line,
      column: problem.column,
      object: "file",
      attribute: "",
      message: `invalid YAML: ${problem.message}`,
    });
  }
  if (yaml.document.errors.length > 0) return parsed;
  const root = yaml.document.contents as Node | null;
  if (root === null || (isScalar(root) && root.value === null)) return parsed;
  if (!isSeq(root)) {
    reader.error(root, "file", "", "expected a list of configuration objects", FILE_EXAMPLE);
    return parsed;
  }
  let implied = options.impliedBranchMatchers;
  for (const item of root.items as (Node | null)[]) {
    if (!isMap(item) || item.items.length !== 1) {
      reader.error(
        item,
        "file",
        "",
        `each list entry must be a mapping with one key naming the object type: ${OBJECT_KINDS.join(", ")}`,
        FILE_EXAMPLE,
      );
      continue;
    }
    const pair = item.items[0];
    const kindNode = pair?.key as Node | undefined;
    const kind = isScalar(kindNode) ? String(kindNode.value) : "";
    const body = (pair?.value ?? null) as Node | null;
    if (!OBJECT_KINDS.includes(kind)) {
      reader.error(
        kindNode,
        "file",
        "",
        `unknown configuration object type "${kind}"; expected one of: ${OBJECT_KINDS.join(", ")}`,
      );
      continue;
    }
    if (kind === "pragma") {
      const pragma = reader.object(body, "pragma", "", [
        "implied-branch-matchers",
        "implied-branches",
      ]);
      implied = pragma?.boolean("implied-branch-matchers") ?? implied;
      continue;
    }
    if (!options.include.includes(kind)) continue;
    // An object with errors is left out, so the rest of the file still loads.
    const counts = objectCounts(parsed);
    const errorsBefore = errorCount(parsed);
    readObject(reader, kind, body, kindNode, parsed, options, implied);
    if (errorCount(parsed) > errorsBefore) {
      dropNewObjects(parsed, counts);
      const name = objectName(body);
      if (name !== null) parsed.dropped.push({ kind, name });
    }
  }
  return parsed;
}

type ObjectLists = Omit<ParsedFile, "errors" | "references" | "dropped">;

function objectCounts(parsed: ParsedFile): Record<keyof ObjectLists, number> {
  return {
    pipelines: parsed.pipelines.length,
    jobs: parsed.jobs.length,
    projects: parsed.projects.length,
    templates: parsed.templates.length,
    nodesets: parsed.nodesets.length,
    semaphores: parsed.semaphores.length,
    queues: parsed.queues.length,
    secrets: parsed.secrets.length,
  };
}

function dropNewObjects(parsed: ParsedFile, counts: Record<keyof ObjectLists, number>): void {
  for (const key of Object.keys(counts) as (keyof ObjectLists)[]) {
    parsed[key].length = counts[key];
  }
}

function errorCount(parsed: ParsedFile): number {
  return parsed.errors.filter((error) => error.severity === "error").length;
}

function objectName(body: Node | null): string | null {
  if (!isMap(body)) return null;
  const name = body.get("name", true);
  return isScalar(name) && (typeof name.value === "string" || typeof name.value === "number")
    ? String(name.value)
    : null;
}

function open(
  reader: FileReader,
  kind: string,
  body: Node | null,
  keyNode: Node | undefined,
  allowed: readonly string[],
  example?: string,
): { object: ObjectReader; name: string | null } | null {
  const name = objectName(body);
  const label = name === null ? kind : `${kind} "${name}"`;
  const object = reader.object(body ?? keyNode, label, "", allowed, example);
  if (object === null) return null;
  return { object, name };
}

function requireName(object: ObjectReader, name: string | null, example: string): name is string {
  if (name !== null) return true;
  if (object.has("name")) {
    object.error("name", "expected the name to be a string");
  } else {
    object.require("name", example);
  }
  return false;
}

function readObject(
  reader: FileReader,
  kind: string,
  body: Node | null,
  keyNode: Node | undefined,
  parsed: ParsedFile,
  options: ConfigFileOptions,
  implied: boolean,
): void {
  switch (kind) {
    case "pipeline": {
      const opened = open(reader, kind, body, keyNode, PIPELINE_KEYS, PIPELINE_EXAMPLE);
      if (opened === null || !requireName(opened.object, opened.name, PIPELINE_EXAMPLE)) return;
      if (!reader.origin.trusted) {
        reader.error(
          keyNode,
          opened.object.object,
          "",
          `pipelines may only be defined in config projects, and "${reader.origin.project}" ` +
            `is an untrusted project; move the pipeline to a config project`,
        );
        return;
      }
      const pipeline = readPipeline(opened.object, opened.name, options.drivers);
      if (pipeline !== null) parsed.pipelines.push(pipeline);
      return;
    }
    case "job": {
      const opened = open(reader, kind, body, keyNode, JOB_KEYS, JOB_EXAMPLE);
      if (opened === null || !requireName(opened.object, opened.name, JOB_EXAMPLE)) return;
      parsed.jobs.push(readJob(opened.object, opened.name, implied, parsed.references));
      return;
    }
    case "project":
    case "project-template": {
      const template = kind === "project-template";
      const opened = open(reader, kind, body, keyNode, []);
      if (opened === null) return;
      const project = readProject(opened.object, template, implied, parsed.references);
      if (project !== null) (template ? parsed.templates : parsed.projects).push(project);
      return;
    }
    case "nodeset": {
      const example =
        "- nodeset:\n    name: ubuntu\n    nodes:\n      - name: controller\n        label: ubuntu-jammy";
      const opened = open(reader, kind, body, keyNode, NODESET_KEYS, example);
      if (opened === null || !requireName(opened.object, opened.name, example)) return;
      parsed.nodesets.push({
        nodeset: readNodesetBody(opened.object, opened.name),
        source: reader.source(opened.object.node),
      });
      return;
    }
    case "semaphore": {
      const example = "- semaphore:\n    name: deploy\n    max: 1";
      const opened = open(reader, kind, body, keyNode, ["name", "max"], example);
      if (opened === null || !requireName(opened.object, opened.name, example)) return;
      const semaphore: SemaphoreConfig = {
        name: opened.name,
        max: opened.object.integer("max", { min: 1 }) ?? 1,
        source: reader.source(opened.object.node),
      };
      parsed.semaphores.push(semaphore);
      return;
    }
    case "queue": {
      const example = "- queue:\n    name: integrated\n    per-branch: true";
      const keys = ["name", "per-branch", "allow-circular-dependencies", "dependencies-by-topic"];
      const opened = open(reader, kind, body, keyNode, keys, example);
      if (opened === null || !requireName(opened.object, opened.name, example)) return;
      const queue: QueueConfig = {
        name: opened.name,
        perBranch: opened.object.boolean("per-branch") ?? false,
        allowCircularDependencies: opened.object.boolean("allow-circular-dependencies") ?? false,
        source: reader.source(opened.object.node),
      };
      if (opened.object.has("dependencies-by-topic")) {
        reader.warn(
          opened.object.keyNode("dependencies-by-topic"),
          opened.object.object,
          "dependencies-by-topic",
          "dependencies-by-topic is ignored",
        );
      }
      parsed.queues.push(queue);
      return;
    }
    case "secret": {
      const example =
        "- secret:\n    name: site-credentials\n    data:\n      password: !encrypted/pkcs1-oaep ...";
      const opened = open(reader, kind, body, keyNode, ["name", "data"], example);
      if (opened === null || !requireName(opened.object, opened.name, example)) return;
      if (!opened.object.require("data", example)) return;
      const data = opened.object.mapping("data");
      if (data === undefined) return;
      const secret: SecretConfig = {
        name: opened.name,
        data,
        source: reader.source(opened.object.node),
      };
      parsed.secrets.push(secret);
      return;
    }
    default:
      return;
  }
}
