// Building a tenant's Layout from its parsed files. Objects are registered in tenant order, config
// projects first, and jobs are shadowed as the tenant allows. Project stanzas are merged with
// their templates, every reference is resolved, and each project's job graphs are frozen once to
// find the errors that only freezing shows.
import type {
  ConfigError,
  FrozenJob,
  JobVariant,
  Layout,
  NodesetConfig,
  PipelineConfig,
  ProjectConfig,
  ProjectPipelineConfig,
  ProjectPipelineJob,
  QueueConfig,
  SecretConfig,
  SemaphoreConfig,
  SourceContext,
  TenantProject,
} from "../../messages/layout.js";
import { optionsKey, type ParseCache } from "./cache.js";
import { configError, configWarning, siteOf, type ErrorSite } from "./errors.js";
import { closest } from "./fields.js";
import { freezeGraph } from "./freeze.js";
import { deepFreeze } from "./freeze-data.js";
import { mergeVars } from "./inheritance.js";
import type { LayoutInput, ProjectFiles } from "./layout-input.js";
import type {
  ParsedFile,
  ParsedNodeset,
  ParsedProject,
  ParsedProjectPipeline,
  Reference,
} from "./parsed.js";
import { matchesAtStart } from "./regex.js";
import type { TenantProjectConfig } from "./tenant.js";

/** Result of a build: a layout unless a config project has errors. */
export type AssembleResult =
  | { readonly ok: true; readonly layout: Layout; readonly warnings: ConfigError[] }
  | { readonly ok: false; readonly errors: ConfigError[] };

/** The source of the built-in `noop` job, which needs no definition. */
const BUILTIN_SOURCE: SourceContext = {
  connection: "",
  project: "",
  branch: "",
  file: "<built-in>",
  line: 1,
  column: 1,
  trusted: true,
};

const NOOP_JOB: JobVariant = {
  name: "noop",
  source: BUILTIN_SOURCE,
  branches: [],
  impliedBranches: false,
  parent: null,
  attributes: { description: "A job that succeeds at once without a node." },
};

interface ParsedUnit {
  readonly project: TenantProjectConfig;
  readonly branch: string;
  readonly parsed: ParsedFile;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

class LayoutBuilder {
  readonly errors: ConfigError[] = [];
  readonly units: ParsedUnit[] = [];
  readonly projectsByName = new Map<string, TenantProjectConfig>();
  readonly pipelines: Record<string, PipelineConfig> = {};
  readonly nodesets = new Map<string, ParsedNodeset>();
  readonly semaphores: Record<string, SemaphoreConfig> = {};
  readonly queues: Record<string, QueueConfig> = {};
  readonly secrets: Record<string, SecretConfig> = {};
  readonly jobs = new Map<string, { owner: string; variants: JobVariant[] }>();
  readonly templates = new Map<string, ParsedProject[]>();
  readonly stanzas = new Map<string, ParsedProject[]>();

  constructor(
    readonly input: LayoutInput,
    readonly cache: ParseCache,
    readonly freeze: boolean,
  ) {
    for (const files of input.projects) {
      this.projectsByName.set(files.project.name, files.project);
      this.projectsByName.set(files.project.canonicalName, files.project);
    }
  }

  parseAll(): void {
    for (const files of this.input.projects) this.parseProject(files);
  }

  parseProject(files: ProjectFiles): void {
    const project = files.project;
    const options = {
      drivers: this.input.drivers,
      include: project.include,
      impliedBranchMatchers: project.impliedBranchMatchers ?? !project.trusted,
    };
    const key = optionsKey(options);
    if (files.readError !== undefined) {
      this.errors.push(
        configError(
          {
            project: project.name,
            branch: "",
            file: "",
            line: 1,
            column: 1,
            object: `project "${project.name}"`,
          },
          "",
          `reading the project's configuration failed: ${files.readError}; check that the ` +
            `repository exists and is readable`,
        ),
      );
    }
    for (const branch of files.branches) {
      for (const root of branch.skippedRoots) {
        const loaded = branch.files[0]?.path ?? "";
        this.errors.push(
          configWarning(
            {
              project: project.name,
              branch: branch.branch,
              file: root,
              line: 1,
              column: 1,
              object: `project "${project.name}"`,
            },
            "",
            `configuration under "${root}" is ignored because "${loaded}" was loaded first; ` +
              `keep one configuration root per branch`,
          ),
        );
      }
      for (const file of branch.files) {
        const origin = {
          connection: project.connection,
          project: project.name,
          branch: branch.branch,
          file: file.path,
          trusted: project.trusted,
        };
        const parsed = this.cache.parse(file.text, origin, options, key);
        this.errors.push(...parsed.errors);
        this.units.push({ project, branch: branch.branch, parsed });
      }
    }
  }

  /** True when `project` may shadow jobs of `other` (the tenant's `shadow` option). */
  shadows(project: string, other: string): boolean {
    const config = this.projectsByName.get(project);
    const target = this.projectsByName.get(other);
    if (config === undefined || target === undefined) return false;
    return config.shadow.some((name) => name === target.name || name === target.canonicalName);
  }

  duplicate(kind: string, name: string, source: SourceContext, first: SourceContext): void {
    this.errors.push(
      configError(
        siteOf(source, `${kind} "${name}"`),
        "name",
        `${kind} "${name}" is already defined in project "${first.project}" ` +
          `(${first.file}:${first.line}); ${kind} names must be unique in a tenant`,
      ),
    );
  }

  /** Registers a named object; a second definition in another project is an error. */
  register<T extends { readonly source: SourceContext }>(
    registry: Record<string, T>,
    kind: string,
    name: string,
    value: T,
  ): void {
    const existing = registry[name];
    if (existing === undefined) {
      registry[name] = value;
    } else if (existing.source.project !== value.source.project) {
      this.duplicate(kind, name, value.source, existing.source);
    }
  }

  registerObjects(): void {
    for (const { parsed } of this.units) {
      for (const pipeline of parsed.pipelines) {
        const existing = this.pipelines[pipeline.name];
        if (existing === undefined) this.pipelines[pipeline.name] = pipeline;
        else this.duplicate("pipeline", pipeline.name, pipeline.source, existing.source);
      }
      for (const nodeset of parsed.nodesets) {
        const name = nodeset.nodeset.name ?? "";
        const existing = this.nodesets.get(name);
        if (existing === undefined) this.nodesets.set(name, nodeset);
        else if (existing.source.project !== nodeset.source.project) {
          this.duplicate("nodeset", name, nodeset.source, existing.source);
        }
      }
      for (const semaphore of parsed.semaphores) {
        this.register(this.semaphores, "semaphore", semaphore.name, semaphore);
      }
      for (const queue of parsed.queues) this.register(this.queues, "queue", queue.name, queue);
      for (const secret of parsed.secrets)
        this.register(this.secrets, "secret", secret.name, secret);
      for (const template of parsed.templates) {
        const name = template.name ?? "";
        const list = this.templates.get(name);
        if (list === undefined) this.templates.set(name, [template]);
        else if (list[0]?.source.project !== template.source.project && list[0] !== undefined) {
          this.duplicate("project-template", name, template.source, list[0].source);
        } else list.push(template);
      }
    }
  }

  resolveNodeset(
    attributes: JobVariant["attributes"],
    nodesetName: string | null,
  ): JobVariant["attributes"] {
    if (nodesetName === null) return attributes;
    const nodeset: NodesetConfig | undefined = this.nodesets.get(nodesetName)?.nodeset;
    return nodeset === undefined ? attributes : { ...attributes, nodeset };
  }

  registerJobs(): void {
    this.jobs.set("noop", { owner: "", variants: [NOOP_JOB] });
    for (const { project, parsed } of this.units) {
      for (const job of parsed.jobs) {
        const variant: JobVariant = {
          ...job.variant,
          attributes: this.resolveNodeset(job.variant.attributes, job.nodesetName),
        };
        const entry = this.jobs.get(variant.name);
        if (entry === undefined || entry.owner === "") {
          this.jobs.set(variant.name, { owner: project.name, variants: [variant] });
        } else if (entry.owner === project.name) {
          entry.variants.push(variant);
        } else if (this.shadows(project.name, entry.owner)) {
          this.jobs.set(variant.name, { owner: project.name, variants: [variant] });
        } else if (!this.shadows(entry.owner, project.name)) {
          this.errors.push(
            configError(
              siteOf(variant.source, `job "${variant.name}"`),
              "name",
              `job "${variant.name}" is already defined in project "${entry.owner}"; a job may ` +
                `be defined in one project only, unless the tenant lets this project shadow ` +
                `"${entry.owner}"; rename the job`,
              `- ${project.name}:\n    shadow: ${entry.owner}`,
            ),
          );
        }
      }
    }
  }

  /** Tenant projects a stanza applies to: its own project, a named one, or a regex's matches. */
  stanzaTargets(stanza: ParsedProject, owner: TenantProjectConfig): TenantProjectConfig[] {
    if (stanza.name === null) return [owner];
    if (stanza.name.startsWith("^")) {
      const pattern = stanza.name;
      const matched = this.input.projects
        .map((files) => files.project)
        .filter(
          (project) =>
            matchesAtStart(pattern, project.name) || matchesAtStart(pattern, project.canonicalName),
        );
      return owner.trusted ? matched : matched.filter((project) => project.name === owner.name);
    }
    const target = this.projectsByName.get(stanza.name);
    if (target === undefined) {
      const guess = closest(
        stanza.name,
        this.input.projects.map((files) => files.project.name),
      );
      this.errors.push(
        configError(
          stanza.site,
          "name",
          `project "${stanza.name}" is not part of tenant "${this.input.tenant.name}"` +
            (guess === null ? "" : `; did you mean "${guess}"?`) +
            ` Add it to the tenant config or fix the name`,
        ),
      );
      return [];
    }
    if (!owner.trusted && target.name !== owner.name) {
      this.errors.push(
        configError(
          stanza.site,
          "name",
          `untrusted project "${owner.name}" may only configure itself, not "${target.name}"; ` +
            `remove the name or move the stanza to a config project`,
        ),
      );
      return [];
    }
    return [target];
  }

  collectStanzas(): void {
    for (const { project, parsed } of this.units) {
      for (const stanza of parsed.projects) {
        for (const target of this.stanzaTargets(stanza, project)) {
          const list = this.stanzas.get(target.name);
          if (list === undefined) this.stanzas.set(target.name, [stanza]);
          else list.push(stanza);
        }
      }
    }
  }

  warnUnknownPipelines(owner: ParsedProject, kind: string): void {
    for (const [name, section] of Object.entries(owner.pipelines)) {
      if (this.pipelines[name] !== undefined) continue;
      this.errors.push(
        configWarning(
          section.site,
          name,
          `${kind} has a section for pipeline "${name}", which tenant ` +
            `"${this.input.tenant.name}" does not define; the section is ignored`,
        ),
      );
    }
  }

  buildProject(project: TenantProjectConfig, stanzas: readonly ParsedProject[]): ProjectConfig {
    const pipelines: Record<
      string,
      Mutable<ProjectPipelineConfig> & { sectionBranches: string[][] }
    > = {};
    let mergeMode: ProjectConfig["mergeMode"] = "merge-resolve";
    let defaultBranch = "master";
    let vars: Record<string, unknown> = {};
    const templates: string[] = [];
    const add = (
      name: string,
      section: ParsedProjectPipeline,
      stanza: ParsedProject,
      template: ParsedProject | null,
    ): void => {
      if (this.pipelines[name] === undefined) return;
      let target = pipelines[name];
      if (target === undefined) {
        target = { queue: null, debug: false, failFast: false, jobs: [], sectionBranches: [] };
        pipelines[name] = target;
      }
      const jobs: ProjectPipelineJob[] = section.jobs.map(({ entry, nodesetName }) => {
        const attributes = this.resolveNodeset(entry.attributes, nodesetName);
        const withNodeset = attributes === entry.attributes ? entry : { ...entry, attributes };
        if (template === null || template.branches.length === 0) return withNodeset;
        return { ...withNodeset, templateBranches: template.branches };
      });
      target.jobs = [...target.jobs, ...jobs];
      target.queue = section.queue ?? stanza.queue ?? template?.queue ?? target.queue;
      if (section.debug !== null) target.debug = section.debug;
      if (section.failFast !== null) target.failFast = section.failFast;
      target.sectionBranches.push([...stanza.branches]);
    };
    for (const stanza of stanzas) {
      for (const name of stanza.templates) {
        if (!templates.includes(name)) templates.push(name);
        for (const template of this.templates.get(name) ?? []) {
          for (const [pipeline, section] of Object.entries(template.pipelines)) {
            add(pipeline, section, stanza, template);
          }
        }
      }
      for (const [pipeline, section] of Object.entries(stanza.pipelines)) {
        add(pipeline, section, stanza, null);
      }
      if (stanza.mergeMode !== null) mergeMode = stanza.mergeMode;
      if (stanza.defaultBranch !== null) defaultBranch = stanza.defaultBranch;
      if (stanza.vars !== null) vars = mergeVars(vars, stanza.vars);
    }
    return {
      name: project.name,
      canonicalName: project.canonicalName,
      connection: project.connection,
      trusted: project.trusted,
      mergeMode,
      defaultBranch,
      vars,
      templates,
      pipelines,
      sources: stanzas.map((stanza) => stanza.source),
    };
  }

  checkReference(reference: Reference, layoutJobs: Layout["jobs"]): void {
    const { kind, name, site, attribute } = reference;
    let known: readonly string[];
    let found: boolean;
    switch (kind) {
      case "parent":
      case "dependency":
      case "job":
        found = layoutJobs[name] !== undefined;
        known = found ? [] : Object.keys(layoutJobs);
        break;
      case "nodeset":
        found = this.nodesets.has(name);
        known = found ? [] : [...this.nodesets.keys()];
        break;
      case "semaphore":
        found = this.semaphores[name] !== undefined;
        known = found ? [] : Object.keys(this.semaphores);
        break;
      case "template":
        found = this.templates.has(name);
        known = found ? [] : [...this.templates.keys()];
        break;
      case "required-project":
        found = this.projectsByName.has(name);
        known = found ? [] : this.input.projects.map((files) => files.project.name);
        break;
      case "secret": {
        const secret = this.secrets[name];
        found = secret !== undefined;
        known = found ? [] : Object.keys(this.secrets);
        if (secret !== undefined && secret.source.project !== site.project) {
          this.errors.push(
            configError(
              site,
              attribute,
              `secret "${name}" is defined in project "${secret.source.project}"; a job may ` +
                `only use secrets of its own project, so define the secret in "${site.project}"`,
            ),
          );
        }
        break;
      }
    }
    if (found) return;
    const dropped = this.droppedObject(kind, name);
    if (dropped !== null) {
      this.errors.push(
        configError(
          site,
          attribute,
          `${dropped} is left out of the layout because its definition has errors; ` +
            `fix those errors first`,
        ),
      );
      return;
    }
    const guess = closest(name, known);
    const noun =
      kind === "dependency" || kind === "parent"
        ? "job"
        : kind === "required-project"
          ? "project"
          : kind;
    const fix =
      kind === "required-project"
        ? "add the project to the tenant config or fix the name"
        : `define the ${noun} or fix the name`;
    this.errors.push(
      configError(
        site,
        attribute,
        `unknown ${noun} "${name}"` +
          (guess === null ? `; ${fix}` : `; did you mean "${guess}"? Otherwise ${fix}`),
      ),
    );
  }

  /**
   * Returns the label (`job "NAME"`) of a referenced object that a file defines but that was left
   * out for its errors, so the reference error sends the reader to those errors.
   */
  private droppedObject(kind: Reference["kind"], name: string): string | null {
    const objectKind =
      kind === "parent" || kind === "dependency"
        ? "job"
        : kind === "template"
          ? "project-template"
          : kind;
    for (const { parsed } of this.units) {
      for (const dropped of parsed.dropped) {
        if (dropped.kind === objectKind && dropped.name === name) return `${objectKind} "${name}"`;
      }
    }
    return null;
  }

  /** Freezes each project's job graphs once per branch, to report errors at load time. */
  validateGraphs(layout: Layout): void {
    const seen = new Set<string>();
    const memo = new Map<string, FrozenJob>();
    for (const files of this.input.projects) {
      const config = layout.projectConfigs[files.project.name];
      if (config === undefined) continue;
      const branches = files.allBranches.length > 0 ? files.allBranches : [config.defaultBranch];
      for (const pipeline of Object.keys(config.pipelines)) {
        for (const branch of branches) {
          const request = { project: config.name, branch, pipeline, files: null };
          const result = freezeGraph(layout, request, true, memo);
          if (result.ok) continue;
          for (const error of result.errors) {
            const key = `${error.file}:${error.line}:${error.column}:${error.message}`;
            if (seen.has(key)) continue;
            seen.add(key);
            this.errors.push(error);
          }
        }
      }
    }
  }

  build(): AssembleResult {
    this.parseAll();
    this.registerObjects();
    this.registerJobs();
    this.collectStanzas();

    const jobs: Record<string, readonly JobVariant[]> = {};
    for (const [name, entry] of this.jobs) jobs[name] = entry.variants;
    for (const { parsed } of this.units) {
      for (const reference of parsed.references) this.checkReference(reference, jobs);
      for (const template of parsed.templates)
        this.warnUnknownPipelines(template, `project-template "${template.name ?? ""}"`);
      for (const stanza of parsed.projects)
        this.warnUnknownPipelines(stanza, `project "${stanza.name ?? stanza.source.project}"`);
    }

    const projectConfigs: Record<string, ProjectConfig> = {};
    for (const files of this.input.projects) {
      const stanzas = this.stanzas.get(files.project.name);
      if (stanzas !== undefined) {
        projectConfigs[files.project.name] = this.buildProject(files.project, stanzas);
      }
    }
    const nodesets: Record<string, NodesetConfig> = {};
    for (const [name, parsed] of this.nodesets) nodesets[name] = parsed.nodeset;
    const projects: Record<string, TenantProject> = {};
    for (const files of this.input.projects) projects[files.project.name] = files.project;

    const layout: Layout = {
      tenant: this.input.tenant.name,
      options: this.input.tenant.options,
      projects,
      pipelines: this.pipelines,
      jobs,
      projectConfigs,
      nodesets,
      semaphores: this.semaphores,
      queues: this.queues,
      secrets: this.secrets,
      configErrors: [],
      loadedAt: this.input.loadedAt,
    };
    this.validateGraphs(layout);

    const trusted = (site: ErrorSite): boolean =>
      site.project === "" || this.projectsByName.get(site.project)?.trusted === true;
    const fatal = this.errors.filter((error) => error.severity === "error" && trusted(error));
    if (fatal.length > 0) return { ok: false, errors: this.errors.filter(trusted) };
    const configErrors = this.errors.filter(
      (error) => !trusted(error) || error.severity === "warning",
    );
    return {
      ok: true,
      layout: this.freeze ? deepFreeze({ ...layout, configErrors }) : { ...layout, configErrors },
      warnings: configErrors.filter((error) => error.severity === "warning"),
    };
  }
}

/** Builds the layout of one tenant from its configuration files, re-using cached parses. */
export function assembleLayout(
  input: LayoutInput,
  cache: ParseCache,
  options: { freeze: boolean } = { freeze: true },
): AssembleResult {
  return new LayoutBuilder(input, cache, options.freeze).build();
}
