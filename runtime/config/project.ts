// `project` stanzas and `project-template` objects. Every key that is not a fixed attribute names
// a pipeline; its job list mixes job names and `{job-name: {inline variant}}` mappings.
import { isMap, isScalar, type Node } from "yaml";

import type { ProjectPipelineJob } from "../../messages/layout.js";
import { describe, listItems, type ObjectReader } from "./fields.js";
import { INLINE_JOB_KEYS, readJobAttributes } from "./job.js";
import type {
  ParsedProject,
  ParsedProjectJob,
  ParsedProjectPipeline,
  Reference,
} from "./parsed.js";
import { exactPattern } from "./regex.js";

export const PROJECT_FIXED_KEYS = [
  "name",
  "description",
  "templates",
  "default-branch",
  "merge-mode",
  "queue",
  "vars",
];

export const TEMPLATE_FIXED_KEYS = ["name", "description", "queue"];

const PIPELINE_SECTION_KEYS = ["jobs", "queue", "debug", "fail-fast"];

const MERGE_MODES = ["merge", "merge-resolve", "cherry-pick", "squash-merge", "rebase"] as const;

export const PROJECT_EXAMPLE = `- project:
    check:
      jobs:
        - unit-tests
        - lint: {voting: false}`;

function readJobEntry(
  section: ObjectReader,
  item: Node | null,
  branches: readonly string[],
  references: Reference[],
): ParsedProjectJob | null {
  const reader = section.reader;
  const attribute = section.path("jobs");

  if (isScalar(item) && typeof item.value === "string") {
    references.push({
      kind: "job",
      name: item.value,
      site: reader.site(item, section.object),
      attribute,
    });
    return {
      entry: { name: item.value, source: reader.source(item), branches, attributes: {} },
      nodesetName: null,
    };
  }
  if (!isMap(item) || item.items.length !== 1) {
    reader.error(
      item,
      section.object,
      attribute,
      `expected a job name or a mapping of one job name to its variant attributes, got ${describe(item)}`,
      PROJECT_EXAMPLE,
    );
    return null;
  }

  const pair = item.items[0];
  const key = pair !== undefined && isScalar(pair.key) ? String(pair.key.value) : null;
  if (key === null || pair === undefined) return null;
  references.push({
    kind: "job",
    name: key,
    site: reader.site(pair.key as Node, section.object),
    attribute,
  });

  const value = pair.value as Node | null;
  const source = reader.source(pair.key as Node);
  if (value === null || (isScalar(value) && value.value === null)) {
    return { entry: { name: key, source, branches, attributes: {} }, nodesetName: null };
  }
  const variant = reader.object(value, `job "${key}" in ${section.object}`, "", INLINE_JOB_KEYS);
  if (variant === null) return null;
  const explicit = variant.patterns("branches");
  const { attributes, nodesetName } = readJobAttributes(variant, references);
  const entry: ProjectPipelineJob = {
    name: key,
    source,
    branches: explicit ?? branches,
    attributes,
  };
  return { entry, nodesetName };
}

function readPipelineSection(
  stanza: ObjectReader,
  pipeline: string,
  branches: readonly string[],
  references: Reference[],
): ParsedProjectPipeline | null {
  const reader = stanza.reader;
  const site = reader.site(stanza.keyNode(pipeline), stanza.object);
  const value = stanza.value(pipeline);
  if (value === null || (isScalar(value) && value.value === null)) {
    return { queue: null, debug: null, failFast: null, jobs: [], site };
  }
  const section = stanza.child(pipeline, PIPELINE_SECTION_KEYS, PROJECT_EXAMPLE);
  if (section === null) return null;
  const jobs: ParsedProjectJob[] = [];
  for (const item of listItems(section.value("jobs"))) {
    const entry = readJobEntry(section, item, branches, references);
    if (entry !== null) jobs.push(entry);
  }
  return {
    queue: section.string("queue") ?? null,
    debug: section.boolean("debug") ?? null,
    failFast: section.boolean("fail-fast") ?? null,
    jobs,
    site,
  };
}

/** Reads a `project` stanza (`template` false) or a `project-template` (`template` true). */
export function readProject(
  stanza: ObjectReader,
  template: boolean,
  impliedBranchMatchers: boolean,
  references: Reference[],
): ParsedProject | null {
  const reader = stanza.reader;
  let name: string | null = null;
  if (template) {
    if (
      !stanza.require(
        "name",
        "- project-template:\n    name: python-jobs\n    check:\n      jobs: [tox]",
      )
    ) {
      return null;
    }
    const text = stanza.string("name");
    if (typeof text !== "string") return null;
    name = text;
  } else if (stanza.has("name")) {
    name = stanza.string("name") ?? null;
  }
  const branches = impliedBranchMatchers ? [exactPattern(reader.origin.branch)] : [];
  const fixed = template ? TEMPLATE_FIXED_KEYS : PROJECT_FIXED_KEYS;
  const pipelines: Record<string, ParsedProjectPipeline> = {};
  for (const key of stanza.keys()) {
    if (fixed.includes(key)) continue;
    const section = readPipelineSection(stanza, key, branches, references);
    if (section !== null) pipelines[key] = section;
  }
  const templates = template ? [] : (stanza.stringList("templates") ?? []);
  for (const templateName of templates) {
    references.push({
      kind: "template",
      name: templateName,
      site: reader.site(stanza.value("templates"), stanza.object),
      attribute: "templates",
    });
  }
  stanza.string("description");
  return {
    name,
    source: reader.source(stanza.node),
    site: reader.site(stanza.node, stanza.object),
    branches,
    templates,
    queue: stanza.string("queue") ?? null,
    defaultBranch: template ? null : (stanza.string("default-branch") ?? null),
    mergeMode: template ? null : (stanza.oneOf("merge-mode", MERGE_MODES) ?? null),
    vars: template ? null : (stanza.mapping("vars") ?? null),
    pipelines,
  };
}
