// Paths of one build's files. The build directory (workspace, playbook checkouts, variables,
// inventory) is removed when the build ends. The log directory stays for the web server.
import { join } from "node:path";

export interface BuildPaths {
  /** Build directory, removed after the build: `WORK_ROOT/builds/BUILD`. */
  readonly root: string;
  /** The job's working directory, HOME and ZUUL_WORKSPACE. */
  readonly work: string;
  /** Checkouts of the build's projects, `work/src/PROJECT`. */
  readonly src: string;
  /** The job's TMPDIR. */
  readonly tmp: string;
  /** Checkouts of playbook projects that the workspace does not hold at the right branch. */
  readonly playbooks: string;
  readonly varsFile: string;
  readonly inventoryFile: string;
  readonly ansibleConfigFile: string;
  /** Ansible's local temporary directory, which ansible-playbook creates when it needs it. */
  readonly ansibleTmp: string;
  /** Log directory of the build: `LOG_ROOT/BUILD`. */
  readonly logDir: string;
  /** Output of every phase: `LOG_ROOT/BUILD/job-output.txt`. */
  readonly outputFile: string;
}

const BUILD_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Returns the paths of a build; throws a RangeError for a build id that is not a safe name. */
export function buildPaths(workRoot: string, logRoot: string, build: string): BuildPaths {
  if (!BUILD_ID.test(build)) {
    throw new RangeError(
      `build id ${JSON.stringify(build)} is invalid: use letters, digits, ".", "_" or "-", ` +
        `such as a UUID`,
    );
  }
  const root = join(workRoot, "builds", build);
  const work = join(root, "work");
  const logDir = join(logRoot, build);
  return {
    root,
    work,
    src: join(work, "src"),
    tmp: join(work, "tmp"),
    playbooks: join(root, "playbooks"),
    varsFile: join(root, "zuul-vars.json"),
    inventoryFile: join(root, "inventory.yaml"),
    ansibleConfigFile: join(root, "ansible.cfg"),
    ansibleTmp: join(root, "ansible-tmp"),
    logDir,
    outputFile: join(logDir, "job-output.txt"),
  };
}

/**
 * Checks that a project name or playbook path stays inside the directory it is joined to, and
 * returns it. Throws a RangeError naming the value otherwise.
 */
export function relativePathInside(value: string, what: string): string {
  const segments = value.split("/");
  const unsafe =
    value === "" ||
    value.includes("\0") ||
    value.startsWith("/") ||
    segments.some((segment) => segment === "" || segment === "." || segment === "..");
  if (unsafe) {
    throw new RangeError(
      `${what} ${JSON.stringify(value)} is invalid: it must be a relative path without ` +
        `empty, "." or ".." segments`,
    );
  }
  return value;
}
