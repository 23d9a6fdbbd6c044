// The `job` object and the job attributes that project-pipeline entries may set inline.
import { isMap, isScalar, type Node } from "yaml";

import type {
  JobAttributes,
  JobDependency,
  JobVariant,
  NodesetConfig,
  PlaybookRef,
  RequiredProject,
} from "../../messages/layout.js";
import { describe, listItems, type ObjectReader } from "./fields.js";
import { readInlineNodeset } from "./nodeset.js";
import type { ParsedAttributes, ParsedJob, Reference } from "./parsed.js";
import { exactPattern } from "./regex.js";

/** Job attributes the layout carries. */
export const JOB_ATTRIBUTE_KEYS = [
  "description",
  "abstract",
  "final",
  "protected",
  "voting",
  "timeout",
  "post-timeout",
  "attempts",
  "nodeset",
  "pre-run",
  "run",
  "post-run",
  "required-projects",
  "vars",
  "extra-vars",
  "host-vars",
  "group-vars",
  "dependencies",
  "files",
  "irrelevant-files",
  "semaphore",
  "semaphores",
  "mutex",
  "hold-following-changes",
  "success-message",
  "failure-message",
  "success-url",
  "failure-url",
  "tags",
  "secrets",
  "provides",
  "requires",
  "workspace-scheme",
  "allowed-projects",
  "roles",
  "post-review",
  "override-checkout",
  "override-branch",
];

/** Zuul job attributes that load but have no effect here; each use gets a warning. */
export const IGNORED_JOB_KEYS = [
  "ansible-version",
  "ansible-split-streams",
  "cleanup-run",
  "match-on-config-updates",
  "deduplicate",
  "intermediate",
  "include-vars",
  "image-build-name",
  "workspace-checkout",
  "pre-timeout",
];

export const JOB_KEYS = ["name", "parent", "branches", ...JOB_ATTRIBUTE_KEYS, ...IGNORED_JOB_KEYS];

/** Keys of an inline project-pipeline variant: a job's attributes and `branches`. */
export const INLINE_JOB_KEYS = ["branches", ...JOB_ATTRIBUTE_KEYS, ...IGNORED_JOB_KEYS];

export const JOB_EXAMPLE = `- job:
    name: unit-tests
    parent: base
    run: playbooks/unit-tests.yaml`;

function readPlaybooks(job: ObjectReader, key: string): PlaybookRef[] | undefined {
  const node = job.value(key);
  if (node === undefined) return undefined;
  const origin = job.reader.origin;
  const playbooks: PlaybookRef[] = [];
  for (const item of listItems(node)) {
    let path: string | null = null;
    if (isScalar(item) && typeof item.value === "string") path = item.value;
    if (isMap(item)) {
      const name = item.get("name");
      if (typeof name === "string") path = name;
    }
    if (path === null) {
      job.reader.error(
        item,
        job.object,
        job.path(key),
        `expected a playbook path or a list of them, got ${describe(item)}`,
        `${key}: playbooks/${key}.yaml`,
      );
      continue;
    }
    playbooks.push({
      project: origin.project,
      connection: origin.connection,
      branch: origin.branch,
      path,
      trusted: origin.trusted,
    });
  }
  return playbooks;
}

function readRequiredProjects(
  job: ObjectReader,
  references: Reference[],
): RequiredProject[] | undefined {
  const node = job.value("required-projects");
  if (node === undefined) return undefined;
  const projects: RequiredProject[] = [];
  for (const [index, item] of listItems(node).entries()) {
    const entry = isScalar(item)
      ? { project: String(item.value), overrideCheckout: null as string | null }
      : null;
    let parsed = entry;
    if (parsed === null) {
      const options = job.reader.object(
        item,
        job.object,
        `${job.path("required-projects")}[${index}]`,
        ["name", "override-branch", "override-checkout"],
      );
      if (options === null) continue;
      if (!options.require("name")) continue;
      const name = options.string("name");
      if (typeof name !== "string") continue;
      parsed = {
        project: name,
        overrideCheckout:
          options.string("override-checkout") ?? options.string("override-branch") ?? null,
      };
    }
    projects.push(parsed);
    references.push({
      kind: "required-project",
      name: parsed.project,
      site: job.reader.site(item, job.object),
      attribute: `${job.path("required-projects")}[${index}]`,
    });
  }
  return projects;
}

function readDependencies(job: ObjectReader, references: Reference[]): JobDependency[] | undefined {
  const node = job.value("dependencies");
  if (node === undefined) return undefined;
  const dependencies: JobDependency[] = [];
  for (const [index, item] of listItems(node).entries()) {
    let dependency: JobDependency;
    if (isScalar(item) && typeof item.value === "string") {
      dependency = { name: item.value, soft: false };
    } else {
      const options = job.reader.object(item, job.object, `${job.path("dependencies")}[${index}]`, [
        "name",
        "soft",
      ]);
      if (options === null || !options.require("name")) continue;
      const name = options.string("name");
      if (typeof name !== "string") continue;
      dependency = { name, soft: options.boolean("soft") ?? false };
    }
    dependencies.push(dependency);
    references.push({
      kind: "dependency",
      name: dependency.name,
      site: job.reader.site(item, job.object),
      attribute: `${job.path("dependencies")}[${index}]`,
    });
  }
  return dependencies;
}

function readSecrets(
  job: ObjectReader,
  references: Reference[],
): JobAttributes["secrets"] | undefined {
  const node = job.value("secrets");
  if (node === undefined) return undefined;
  const secrets: { name: string; secret: string }[] = [];
  for (const [index, item] of listItems(node).entries()) {
    let entry: { name: string; secret: string };
    if (isScalar(item) && typeof item.value === "string") {
      entry = { name: item.value, secret: item.value };
    } else {
      const options = job.reader.object(item, job.object, `${job.path("secrets")}[${index}]`, [
        "name",
        "secret",
        "pass-to-parent",
      ]);
      if (options === null || !options.require("name")) continue;
      const name = options.string("name");
      if (typeof name !== "string") continue;
      const secret = options.string("secret") ?? name;
      options.boolean("pass-to-parent");
      entry = { name, secret };
    }
    secrets.push(entry);
    references.push({
      kind: "secret",
      name: entry.secret,
      site: job.reader.site(item, job.object),
      attribute: `${job.path("secrets")}[${index}]`,
    });
  }
  return secrets;
}

function readRoles(job: ObjectReader): JobAttributes["roles"] {
  const node = job.value("roles");
  if (node === undefined) return undefined;
  const roles: { project: string; name: string | null }[] = [];
  for (const [index, item] of listItems(node).entries()) {
    const role = job.reader.object(item, job.object, `${job.path("roles")}[${index}]`, [
      "zuul",
      "name",
    ]);
    if (role === null) continue;
    if (!role.require("zuul", "roles:\n  - zuul: openstack/zuul-jobs")) continue;
    const project = role.string("zuul");
    if (typeof project !== "string") continue;
    roles.push({ project, name: role.string("name") ?? null });
  }
  return roles;
}

function readNodeset(
  job: ObjectReader,
  references: Reference[],
): { nodeset: NodesetConfig | undefined; name: string | null } {
  const node = job.value("nodeset");
  if (node === undefined) return { nodeset: undefined, name: null };
  if (isScalar(node) && typeof node.value === "string") {
    references.push({
      kind: "nodeset",
      name: node.value,
      site: job.reader.site(node, job.object),
      attribute: job.path("nodeset"),
    });
    return { nodeset: undefined, name: node.value };
  }
  const nodeset = readInlineNodeset(job.reader, node, job.object, job.path("nodeset"));
  return { nodeset: nodeset ?? undefined, name: null };
}

/**
 * Reads semaphore names: a name, a list of names, or `{name, resources-first}` mappings. Each
 * name gets a reference at its own list entry, so an error points at the entry.
 */
function readSemaphores(job: ObjectReader, key: string, references: Reference[]): string[] {
  const names: string[] = [];
  for (const [index, item] of listItems(job.value(key)).entries()) {
    let name: string | null | undefined;
    if (isScalar(item) && typeof item.value === "string") {
      name = item.value;
    } else {
      const semaphore = job.reader.object(item, job.object, `${job.path(key)}[${index}]`, [
        "name",
        "resources-first",
      ]);
      if (semaphore === null || !semaphore.require("name")) continue;
      name = semaphore.string("name");
      semaphore.boolean("resources-first");
    }
    if (typeof name !== "string") continue;
    names.push(name);
    references.push({
      kind: "semaphore",
      name,
      site: job.reader.site(item, job.object),
      attribute: `${job.path(key)}[${index}]`,
    });
  }
  return names;
}

function set<K extends keyof JobAttributes>(
  attributes: Partial<JobAttributes>,
  key: K,
  value: JobAttributes[K] | undefined,
): void {
  if (value !== undefined) (attributes as Record<string, unknown>)[key] = value;
}

/** Reads the job attributes of a `job` or of an inline project-pipeline variant. */
export function readJobAttributes(job: ObjectReader, references: Reference[]): ParsedAttributes {
  const attributes: Partial<JobAttributes> = {};
  for (const key of IGNORED_JOB_KEYS) {
    if (job.has(key)) {
      job.reader.warn(
        job.keyNode(key),
        job.object,
        job.path(key),
        `"${key}" is ignored by gatehouse`,
      );
    }
  }
  set(attributes, "description", job.string("description") ?? undefined);
  set(attributes, "abstract", job.boolean("abstract"));
  set(attributes, "final", job.boolean("final"));
  set(attributes, "protected", job.boolean("protected"));
  set(attributes, "voting", job.boolean("voting"));
  set(attributes, "timeout", job.integer("timeout", { min: 1, nullable: true }));
  set(attributes, "postTimeout", job.integer("post-timeout", { min: 1, nullable: true }));
  set(attributes, "attempts", job.integer("attempts", { min: 1 }) ?? undefined);
  const nodeset = readNodeset(job, references);
  set(attributes, "nodeset", nodeset.nodeset);
  set(attributes, "preRun", readPlaybooks(job, "pre-run"));
  set(attributes, "run", readPlaybooks(job, "run"));
  set(attributes, "postRun", readPlaybooks(job, "post-run"));
  set(attributes, "requiredProjects", readRequiredProjects(job, references));
  set(attributes, "vars", job.mapping("vars"));
  set(attributes, "extraVars", job.mapping("extra-vars"));
  set(attributes, "hostVars", job.mapping("host-vars"));
  set(attributes, "groupVars", job.mapping("group-vars"));
  set(attributes, "dependencies", readDependencies(job, references));
  set(attributes, "files", job.patterns("files"));
  set(attributes, "irrelevantFiles", job.patterns("irrelevant-files"));

  const semaphores = [
    ...readSemaphores(job, "semaphore", references),
    ...readSemaphores(job, "semaphores", references),
  ];
  if (job.has("semaphore") || job.has("semaphores")) set(attributes, "semaphores", semaphores);
  set(attributes, "mutex", job.string("mutex", { nullable: true }));
  set(attributes, "holdFollowingChanges", job.boolean("hold-following-changes"));
  set(attributes, "successMessage", job.string("success-message", { nullable: true }));
  set(attributes, "failureMessage", job.string("failure-message", { nullable: true }));
  set(attributes, "successUrl", job.string("success-url", { nullable: true }));
  set(attributes, "failureUrl", job.string("failure-url", { nullable: true }));
  set(attributes, "tags", job.stringList("tags"));
  set(attributes, "secrets", readSecrets(job, references));
  set(attributes, "provides", job.stringList("provides"));
  set(attributes, "requires", job.stringList("requires"));
  set(attributes, "workspaceScheme", job.oneOf("workspace-scheme", ["golang", "flat", "unique"]));
  set(attributes, "allowedProjects", job.stringList("allowed-projects"));
  set(attributes, "roles", readRoles(job));
  set(attributes, "postReview", job.boolean("post-review"));
  set(
    attributes,
    "overrideCheckout",
    job.string("override-checkout", { nullable: true }) ??
      job.string("override-branch", { nullable: true }) ??
      undefined,
  );
  return { attributes, nodesetName: nodeset.name };
}

/** Branch matchers of a variant: explicit `branches`, else the implied branch when it applies. */
export function variantBranches(
  job: ObjectReader,
  impliedBranchMatchers: boolean,
): { branches: string[]; implied: boolean } {
  const explicit = job.patterns("branches");
  if (explicit !== undefined) return { branches: explicit, implied: false };
  if (!impliedBranchMatchers) return { branches: [], implied: false };
  return { branches: [exactPattern(job.reader.origin.branch)], implied: true };
}

/** Reads one `job` object; `name` has been checked by the caller. */
export function readJob(
  job: ObjectReader,
  name: string,
  impliedBranchMatchers: boolean,
  references: Reference[],
): ParsedJob {
  const source = job.reader.source(job.node);
  let parent: string | null | undefined;
  if (job.has("parent")) {
    parent = job.string("parent", { nullable: true });
    if (typeof parent === "string") {
      references.push({
        kind: "parent",
        name: parent,
        site: job.reader.site(job.value("parent"), job.object),
        attribute: "parent",
      });
    } else if (parent === null && !source.trusted) {
      job.error(
        "parent",
        `only config projects may define base jobs (jobs with "parent: null"); ` +
          `give job "${name}" a parent or move it to a config project`,
      );
    }
  }
  const { branches, implied } = variantBranches(job, impliedBranchMatchers);
  const { attributes, nodesetName } = readJobAttributes(job, references);
  const variant: JobVariant = {
    name,
    source,
    branches,
    impliedBranches: implied,
    ...(parent === undefined ? {} : { parent }),
    attributes,
  };
  return { variant, nodesetName };
}

/** Reads a value node as a job name, for error positions of job lists. */
export function jobNameOf(node: Node | null): string | null {
  if (isScalar(node) && typeof node.value === "string") return node.value;
  return null;
}
