// `gatehouse propose`: run in a git working copy of a local project, proposes its HEAD commit for
// review. It adds a `Change-Id:` footer when the commit has none, pushes the commit's objects to
// the project's bare repository under refs/gatehouse-incoming/, then asks the daemon to create
// the change, or the next patchset of the open change that has the same Change-Id.
import { realpathSync } from "node:fs";
import { join, relative, sep } from "node:path";

import type { Command } from "commander";

import type { DaemonInfo, LocalConnectionInfo, ProposeResult } from "../../messages/requests.js";
import { checkBranchName, checkProjectName, InvalidNameError } from "../../runtime/git/names.js";
import {
  addClientOptions,
  currentUser,
  runAction,
  sendCommand,
  UsageError,
  type ClientOptions,
} from "./lib-control.js";
import {
  ensureChangeId,
  pushIncoming,
  remotePath,
  upstreamBranch,
  workingCopyRoot,
} from "./lib-git.js";

interface ProposeOptions extends ClientOptions {
  readonly project?: string;
  readonly branch?: string;
  readonly topic?: string;
  readonly remote: string;
  readonly connection?: string;
}

/** The project and the bare repository a working copy proposes to. */
interface Target {
  readonly connection: string;
  readonly project: string;
  readonly repository: string;
}

async function findTarget(
  root: string,
  options: ProposeOptions,
  info: DaemonInfo,
): Promise<Target> {
  const connections = info.localConnections.filter(
    (connection) => options.connection === undefined || connection.name === options.connection,
  );
  if (connections.length === 0) {
    const names = info.localConnections.map((connection) => connection.name).join(", ");
    throw new UsageError(
      options.connection === undefined
        ? "The daemon has no local connection to propose to"
        : `The daemon has no local connection "${options.connection}"; its local connections are: ${names}`,
    );
  }
  if (options.project !== undefined) {
    // The name becomes a path under the connection's root, so it is checked before the push.
    checkName(() => {
      checkProjectName(options.project ?? "");
    });
    const connection = onlyConnection(connections);
    return {
      connection: connection.name,
      project: options.project,
      repository: join(connection.root, `${options.project}.git`),
    };
  }
  const repository = await remotePath(root, options.remote);
  for (const connection of connections) {
    const projectPath = relative(realpathSync(connection.root), repository);
    if (projectPath.startsWith("..") || projectPath === "" || !projectPath.endsWith(".git"))
      continue;
    const project = projectPath.slice(0, -".git".length).split(sep).join("/");
    checkName(() => {
      checkProjectName(project);
    });
    return { connection: connection.name, project, repository };
  }
  throw new UsageError(
    `Remote "${options.remote}" is ${repository}, which is not a repository of the daemon's local ` +
      `connections (${connections.map((connection) => connection.root).join(", ")}); pass --project`,
  );
}

/** Runs a name check and turns its InvalidNameError into a UsageError with the same message. */
function checkName(check: () => void): void {
  try {
    check();
  } catch (err) {
    if (err instanceof InvalidNameError) throw new UsageError(err.message);
    throw err;
  }
}

function onlyConnection(connections: readonly LocalConnectionInfo[]): LocalConnectionInfo {
  const [first, second] = connections;
  if (first === undefined) throw new UsageError("The daemon has no local connection");
  if (second !== undefined) {
    throw new UsageError(
      `The daemon has several local connections (${connections.map((c) => c.name).join(", ")}); pass --connection`,
    );
  }
  return first;
}

async function propose(options: ProposeOptions): Promise<void> {
  const root = await workingCopyRoot(process.cwd());
  const info = (await sendCommand(options, "info", {})) as DaemonInfo;
  const target = await findTarget(root, options, info);
  const branch = options.branch ?? (await upstreamBranch(root, options.remote));
  if (branch === null) {
    throw new UsageError(
      `The current branch tracks no branch of "${options.remote}"; pass --branch, or run ` +
        `\`git branch --set-upstream-to=${options.remote}/master\``,
    );
  }
  checkName(() => {
    checkBranchName(branch);
  });
  const { commit, added } = await ensureChangeId(root);
  if (added !== null) process.stdout.write(`added Change-Id: ${added} to HEAD\n`);
  const incomingRef = await pushIncoming(root, target.repository, commit);
  const result = (await sendCommand(options, "propose", {
    connection: target.connection,
    project: target.project,
    branch,
    commit,
    by: currentUser(),
    incomingRef,
    ...(options.topic === undefined ? {} : { topic: options.topic }),
  })) as ProposeResult;
  if (!result.created) {
    process.stdout.write(
      `${commit.slice(0, 12)} already is patchset ${result.patchset} of change ${result.number}: ${result.url}\n`,
    );
  } else if (result.patchset === 1) {
    process.stdout.write(
      `created change ${result.number} on ${target.project} ${branch}: ${result.url}\n`,
    );
  } else {
    process.stdout.write(
      `uploaded patchset ${result.patchset} of change ${result.number}: ${result.url}\n`,
    );
  }
}

export function register(program: Command): void {
  const command = program
    .command("propose")
    .description("propose the HEAD commit of this working copy as a change, or as a new patchset")
    .option("--project <name>", "project to propose to (default: from the remote's path)")
    .option("--branch <name>", "target branch (default: the branch HEAD's branch tracks)")
    .option("--topic <name>", "topic of the change")
    .option("--remote <name>", "remote that points to the project's bare repository", "origin")
    .option("--connection <name>", "local connection (default: the daemon's only one)")
    .addHelpText(
      "after",
      "\nExample:\n" +
        "  git clone var/repos/demo/hello.git && cd hello\n" +
        "  echo 'Hi!' > greeting.txt && git commit -am 'Shorten the greeting'\n" +
        "  gatehouse propose --state-dir ../var\n",
    );
  addClientOptions(command).action(runAction(propose));
}
