// Every real configuration of the shared corpus loads. The folders are enumerated, so files added
// later are covered. The only errors allowed are references to objects that live in repositories
// outside the corpus, listed by name below.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";

import { test } from "uvu";
import * as assert from "uvu/assert";

import type { ConfigError } from "../../messages/layout.js";
import {
  formatConfigError,
  loadLayout,
  parseTenantConfig,
  type RepositoryReader,
} from "../../runtime/config/index.js";
import {
  CORPUS_DIR,
  configFilesOf,
  connectionsOf,
  definedNames,
  definesPipelines,
  filesOfRoot,
  isTenantFile,
  MemoryReader,
  referencedProjects,
  repositoryRoots,
  selfName,
  yamlFilesUnder,
} from "./corpus-tenants.js";
import { OUTSIDE_CORPUS } from "./outside-corpus.js";

if (!existsSync(CORPUS_DIR)) {
  throw new Error(
    `shared corpus not found at ${CORPUS_DIR}: these tests read it from ../shared/corpus ` +
      `beside the repository, so put the shared folder there and run npm test again`,
  );
}

const CONFIGS = join(CORPUS_DIR, "zuul-configs");
const FIXTURES = join(
  CORPUS_DIR,
  "zuul-test-fixtures",
  "openstack-infra__zuul",
  "tests",
  "fixtures",
);

/**
 * Errors Zuul's own test configurations produce on purpose, or where gatehouse is stricter than
 * the Zuul version of the fixtures, by fixture file and the variant loaded.
 */
const EXPECTED_FIXTURE_ERRORS: Readonly<Record<string, readonly RegExp[]>> = {
  // The tenant leaves out org/project2, which common-config configures; a config project's
  // reference to a project outside the tenant is an error.
  "config/tenant-parser/groups5.yaml ": [/project "org\/project2" is not part of tenant/],
  // These tenants exclude the jobs of projects whose project stanzas they still load.
  "config/tenant-parser/groups2.yaml ": [
    /unknown job "project2-job"/,
    /unknown job "project3-job"/,
  ],
  // Zuul 3 used an undeclared semaphore with max 1, and these fixtures name one. gatehouse
  // requires every semaphore a job names to be declared.
  "config/semaphore/main.yaml ": [/unknown semaphore "test-semaphore"/],
  "config/semaphore/main.yaml common-config/zuul-remove-job.yaml": [
    /unknown semaphore "test-semaphore"/,
  ],
};

const UNKNOWN_REFERENCE = /^unknown (\S+) "([^"]+)"/;

/** True when the error is an unknown reference that OUTSIDE_CORPUS lists for its organisation. */
function isOutsideCorpus(error: ConfigError): boolean {
  const match = UNKNOWN_REFERENCE.exec(error.message);
  if (match === null) return false;
  const organisation = error.project.split("/")[0] ?? "";
  const [, kind = "", name = ""] = match;
  return OUTSIDE_CORPUS[organisation]?.[kind]?.includes(name) === true;
}

/** Zuul's standard job library, which every organisation's tenant includes. */
const STANDARD_LIBRARY = "openstack-infra__zuul-jobs";

/** Tenant files that are invalid on purpose, with the error they must produce. */
const INVALID_ON_PURPOSE: Readonly<Record<string, RegExp>> = {
  "config/tenant-parser/invalid.yaml": /expected a mapping/,
};

function unexpected(errors: readonly ConfigError[], expected: readonly RegExp[] = []): string[] {
  return errors
    .filter((error) => error.severity === "error" && !isOutsideCorpus(error))
    .map(formatConfigError)
    .filter((text) => !expected.some((pattern) => pattern.test(text)));
}

function tenantYaml(
  name: string,
  connection: string,
  trusted: readonly string[],
  untrusted: readonly string[],
  empty: readonly string[],
  options: readonly string[] = [],
): string {
  const list = (names: readonly string[]): string =>
    names.map((entry) => JSON.stringify(entry)).join(", ");
  const emptyEntries = empty.map((entry) => `{${JSON.stringify(entry)}: {include: []}}`);
  return [
    "- tenant:",
    `    name: ${JSON.stringify(name)}`,
    ...options.map((line) => `    ${line}`),
    "    source:",
    `      ${JSON.stringify(connection)}:`,
    `        config-projects: [${list(trusted)}]`,
    `        untrusted-projects: [${[list(untrusted), ...emptyEntries].filter((part) => part !== "").join(", ")}]`,
  ].join("\n");
}

function mainConnection(drivers: Readonly<Record<string, string>>): string {
  return (
    Object.keys(drivers).find((name) => ["gerrit", "github"].includes(drivers[name] ?? "")) ??
    "gerrit"
  );
}

interface Repository {
  readonly name: string;
  readonly files: Record<string, string>;
  readonly paths: string[];
  readonly trusted: boolean;
}

/** Tenant limits from the organisation's own tenant files, so its jobs meet the same limits. */
function tenantOptionsOf(folders: readonly string[]): string[] {
  for (const folder of folders) {
    for (const file of yamlFilesUnder(folder).filter(isTenantFile)) {
      const tenant = parseTenantConfig(readFileSync(file, "utf8"), basename(file)).tenants[0];
      if (tenant === undefined) continue;
      return [
        `max-job-timeout: ${tenant.options.maxJobTimeout}`,
        `max-nodes-per-job: ${tenant.options.maxNodesPerJob}`,
      ];
    }
  }
  return [];
}

async function loadGroup(
  label: string,
  repositories: readonly Repository[],
  folders: readonly string[],
): Promise<string[]> {
  const paths = repositories.flatMap((repository) => repository.paths);
  const drivers = connectionsOf(paths);
  const connection = mainConnection(drivers);
  const names = new Set(repositories.map((repository) => repository.name));
  const empty = referencedProjects(paths).filter((name) => !names.has(name));
  const text = tenantYaml(
    label,
    connection,
    repositories.filter((repository) => repository.trusted).map((repository) => repository.name),
    repositories.filter((repository) => !repository.trusted).map((repository) => repository.name),
    empty,
    tenantOptionsOf(folders),
  );
  const parsed = parseTenantConfig(text, `${label}.yaml`);
  assert.equal(parsed.errors.map(formatConfigError), [], `${label}: generated tenant config`);
  const tenant = parsed.tenants[0];
  if (tenant === undefined) return [`${label}: no tenant`];
  const reader: RepositoryReader = new MemoryReader(
    Object.fromEntries(repositories.map((repository) => [repository.name, repository.files])),
  );
  const result = await loadLayout(tenant, reader, { connections: drivers, placement: "inline" });
  const errors = result.ok ? result.layout.configErrors : result.errors;
  return unexpected(errors).map((error) => `${label}: ${error}`);
}

function repositoryOf(root: string, fallbackName: string): Repository {
  const paths = configFilesOf(root);
  return {
    name: selfName(paths) ?? fallbackName,
    files: filesOfRoot(root),
    paths,
    trusted: definesPipelines(paths) || /config/.test(fallbackName),
  };
}

test("outside-corpus names are not defined in their organisation", () => {
  // Another organisation may define an object of the same name (every site has a job "base"),
  // but the organisation's own repositories, and the job library it loads, must not.
  const listed: string[] = [];
  const found: string[] = [];
  for (const [organisation, kinds] of Object.entries(OUTSIDE_CORPUS)) {
    const folders = readdirSync(CONFIGS)
      .filter((folder) => folder.startsWith(`${organisation}__`) || folder === STANDARD_LIBRARY)
      .map((folder) => join(CONFIGS, folder));
    // The repositories' own configuration only, not the documentation examples inside them.
    const files = folders.flatMap((folder) => configFilesOf(folder));
    for (const [kind, names] of Object.entries(kinds)) {
      const objectKind = kind === "template" ? "project-template" : kind;
      const defined = new Set(files.flatMap((file) => definedNames(file, objectKind)));
      for (const name of names) {
        listed.push(name);
        if (defined.has(name)) found.push(`${organisation} ${kind} ${name}`);
      }
    }
  }
  assert.ok(listed.length > 0);
  assert.equal(found, []);
});

test("every tenant file of the corpus parses", () => {
  const files = [...yamlFilesUnder(CONFIGS), ...yamlFilesUnder(FIXTURES)].filter(isTenantFile);
  assert.ok(files.length >= 30, `found ${files.length} tenant files`);
  for (const file of files) {
    const name = relative(FIXTURES, file);
    const result = parseTenantConfig(readFileSync(file, "utf8"), basename(file));
    const expected = INVALID_ON_PURPOSE[name];
    if (expected !== undefined) {
      assert.ok(
        result.errors.some((error) => expected.test(error.message)),
        `${name} must fail`,
      );
      continue;
    }
    assert.equal(result.errors.map(formatConfigError), [], file);
    assert.ok(result.tenants.length > 0, `${file} has tenants`);
  }
});

test("every corpus repository loads with its organisation", async () => {
  const problems: string[] = [];
  const folders = readdirSync(CONFIGS).sort();
  const byOrganisation = new Map<string, Repository[]>();
  let loaded = 0;
  for (const folder of folders) {
    const [owner = folder, repo = folder] = folder.split("__");
    const roots = repositoryRoots(join(CONFIGS, folder));
    const [top, ...nested] = roots;
    if (top !== undefined && top === join(CONFIGS, folder)) {
      const list = byOrganisation.get(owner) ?? [];
      list.push(repositoryOf(top, `${owner}/${repo}`));
      byOrganisation.set(owner, list);
    } else if (top !== undefined) {
      nested.unshift(top);
    }
    // Nested roots (documentation examples) form a tenant of their own.
    const examples = nested.map((root) => repositoryOf(root, `${owner}/${basename(root)}`));
    if (examples.length > 0) {
      problems.push(...(await loadGroup(`${folder}-examples`, examples, [])));
      loaded += examples.length;
    }
  }
  // Every organisation builds on Zuul's standard job library, which the corpus has.
  const library = repositoryOf(join(CONFIGS, STANDARD_LIBRARY), "zuul/zuul-jobs");
  for (const [owner, repositories] of byOrganisation) {
    if (!repositories.some((repository) => repository.name === library.name)) {
      repositories.push({ ...library, trusted: false });
    }
    const own = folders
      .filter((folder) => folder.startsWith(`${owner}__`))
      .map((folder) => join(CONFIGS, folder));
    problems.push(...(await loadGroup(owner, repositories, own)));
    loaded += repositories.length;
  }
  assert.ok(loaded >= 12, `loaded ${loaded} repositories`);
  assert.equal(problems, []);
});

/** Hostnames of the connections in Zuul's test suite, which some fixtures use in names. */
const FIXTURE_HOSTNAMES = { gerrit: "review.example.com", github: "github.com" };

/** Fixture directory names such as `org_project1` are the project `org/project1`. */
function fixtureProjectName(dir: string): string {
  return dir.replace("_", "/");
}

function gitFiles(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const path of yamlFilesUnder(dir)) files[relative(dir, path)] = readFileSync(path, "utf8");
  return files;
}

test("every fixture scenario loads, with each alternative file", async () => {
  const problems: string[] = [];
  const scenarios = yamlFilesUnder(join(FIXTURES, "config"))
    .filter(isTenantFile)
    .map((file) => dirname(file));
  for (const scenario of [...new Set(scenarios)]) {
    const gitDir = join(scenario, "git");
    const projects: Record<string, Record<string, string>> = {};
    if (existsSync(gitDir)) {
      for (const dir of readdirSync(gitDir)) {
        if (statSync(join(gitDir, dir)).isDirectory()) {
          projects[fixtureProjectName(dir)] = gitFiles(join(gitDir, dir));
        }
      }
    }
    const allPaths = yamlFilesUnder(scenario);
    const drivers = {
      gerrit: "gerrit",
      github: "github",
      smtp: "smtp",
      ...connectionsOf(allPaths),
    };
    for (const tenantFile of allPaths.filter(isTenantFile)) {
      const name = relative(FIXTURES, tenantFile);
      if (INVALID_ON_PURPOSE[name] !== undefined) continue;
      const parsed = parseTenantConfig(readFileSync(tenantFile, "utf8"), basename(tenantFile));
      for (const tenant of parsed.tenants) {
        // The plain layout, then one layout per alternative file a Zuul test swaps in.
        const variants: [string, Record<string, Record<string, string>>][] = [["", projects]];
        for (const [project, files] of Object.entries(projects)) {
          const root =
            ["zuul.yaml", ".zuul.yaml"].find((path) => files[path] !== undefined) ?? "zuul.yaml";
          for (const [path, text] of Object.entries(files)) {
            if (path.includes("/") || path === root) continue;
            variants.push([`${project}/${path}`, { ...projects, [project]: { [root]: text } }]);
          }
        }
        for (const extra of allPaths.filter(
          (path) => dirname(path) === scenario && !isTenantFile(path),
        )) {
          const configProject =
            tenant.projects.find((project) => project.trusted)?.name ?? "common-config";
          variants.push([
            relative(scenario, extra),
            { ...projects, [configProject]: { "zuul.yaml": readFileSync(extra, "utf8") } },
          ]);
        }
        for (const [variant, files] of variants) {
          const result = await loadLayout(tenant, new MemoryReader(files), {
            connections: drivers,
            hostnames: FIXTURE_HOSTNAMES,
            placement: "inline",
          });
          const errors = result.ok ? result.layout.configErrors : result.errors;
          const expected = EXPECTED_FIXTURE_ERRORS[`${name} ${variant}`] ?? [];
          for (const pattern of expected) {
            const found = errors.some((error) => pattern.test(error.message));
            if (!found)
              problems.push(`${name} ${variant}: expected an error matching ${String(pattern)}`);
          }
          problems.push(
            ...unexpected(errors, expected).map((error) => `${name} ${variant}: ${error}`),
          );
        }
      }
    }
  }
  assert.equal(problems, []);
});

test("every single-file fixture layout loads", async () => {
  const problems: string[] = [];
  const layouts = yamlFilesUnder(join(FIXTURES, "layouts"));
  assert.ok(layouts.length >= 20, `found ${layouts.length} layouts`);
  for (const file of layouts) {
    const drivers = { gerrit: "gerrit", ...connectionsOf([file]) };
    const projects = referencedProjects([file]).filter((name) => name !== "common-config");
    const untrusted = projects.length > 0 ? projects : ["org/project"];
    const text = tenantYaml("tenant-one", "gerrit", ["common-config"], untrusted, []);
    const tenant = parseTenantConfig(text, "main.yaml").tenants[0];
    if (tenant === undefined) continue;
    const reader = new MemoryReader({
      "common-config": { "zuul.yaml": readFileSync(file, "utf8") },
    });
    const result = await loadLayout(tenant, reader, { connections: drivers, placement: "inline" });
    const errors = result.ok ? result.layout.configErrors : result.errors;
    problems.push(...unexpected(errors).map((error) => `${basename(file)}: ${error}`));
  }
  assert.equal(problems, []);
});

test.run();
