// The merger's repository per project and connection under the state directory. A cache
// repository of a local origin borrows the origin's objects (objects/info/alternates), so a new
// patchset needs no fetch. Other origins are fetched from when a commit is missing.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { initBareRepository } from "../../runtime/git/commit-files.js";
import { checkProjectName } from "../../runtime/git/names.js";
import type { RepositorySpec } from "./merge-task.js";

/** Returns the origin of a project, a local path or a URL, as its connection configures it. */
export type OriginResolver = (connection: string, project: string) => string;

const CONNECTION_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** A repository that cannot be used: a bad name, a missing origin. */
export class RepositoryError extends Error {
  override readonly name = "RepositoryError";
}

/** Creates and remembers the merger's repositories. */
export class RepositoryCache {
  private readonly prepared = new Map<string, Promise<RepositorySpec>>();

  constructor(
    private readonly root: string,
    private readonly origins: OriginResolver,
  ) {}

  /** Returns the path of the merger's repository of a project; throws RepositoryError for bad names. */
  path(connection: string, project: string): string {
    if (!CONNECTION_NAME.test(connection)) {
      throw new RepositoryError(
        `connection name "${connection}" is invalid: use letters, digits, ".", "_" and "-"`,
      );
    }
    try {
      checkProjectName(project);
    } catch (err) {
      throw new RepositoryError((err as Error).message);
    }
    return join(this.root, connection, `${project}.git`);
  }

  /** Creates the repository on first use and resolves with its spec. */
  prepare(connection: string, project: string): Promise<RepositorySpec> {
    const cachePath = this.path(connection, project);
    let spec = this.prepared.get(cachePath);
    if (spec === undefined) {
      spec = this.create(connection, project, cachePath);
      // A failed preparation (origin missing for now) is retried by the next request.
      spec.catch(() => this.prepared.delete(cachePath));
      this.prepared.set(cachePath, spec);
    }
    return spec;
  }

  private async create(
    connection: string,
    project: string,
    cachePath: string,
  ): Promise<RepositorySpec> {
    const origin = this.origins(connection, project);
    const local = !isUrl(origin);
    const originPath = local ? resolve(origin) : null;
    if (originPath !== null && !isBareRepository(originPath)) {
      throw new RepositoryError(
        `repository of project ${project} (connection ${connection}) not found at ${originPath}: ` +
          `create the bare repository or fix the connection's repository root`,
      );
    }
    if (!existsSync(join(cachePath, "HEAD"))) {
      mkdirSync(dirname(cachePath), { recursive: true });
      await initBareRepository(cachePath);
    }
    if (originPath !== null) {
      const alternates = join(cachePath, "objects", "info", "alternates");
      const wanted = `${join(originPath, "objects")}\n`;
      const current = existsSync(alternates) ? readFileSync(alternates, "utf8") : "";
      if (current !== wanted) {
        mkdirSync(dirname(alternates), { recursive: true });
        writeFileSync(alternates, wanted);
      }
    }
    return {
      connection,
      project,
      cachePath,
      originPath,
      originUrl: local ? null : origin,
    };
  }
}

function isUrl(origin: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(origin) || (/^[^/]+:/.test(origin) && !isAbsolute(origin));
}

function isBareRepository(path: string): boolean {
  try {
    return statSync(join(path, "objects")).isDirectory() && existsSync(join(path, "HEAD"));
  } catch {
    return false;
  }
}
