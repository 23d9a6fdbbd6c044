// Files and commands of playbook steps besides the playbook: the inventory of the build's
// nodes, the executor's own ansible.cfg, and the lookup of ansible-playbook.
import { accessSync, constants } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import { stringify } from "yaml";
import type { AllocatedNode } from "../../messages/build.js";
import type { NodesetConfig } from "../../messages/layout.js";
import type { BuildPaths } from "./build-paths.js";

/** True for a phase path that runs as an Ansible playbook rather than as a script. */
export function isPlaybookPath(path: string): boolean {
  return path.endsWith(".yaml") || path.endsWith(".yml");
}

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "::1"]);

/**
 * Builds the YAML inventory of a build: one host per allocated node, named as in the nodeset,
 * with the job's host variables, and one group per nodeset group with its group variables.
 * Nodes on this machine use `ansible_connection: local`; others are reached over SSH at `host`.
 */
export function inventoryYaml(options: {
  readonly nodes: readonly AllocatedNode[];
  readonly nodeset: NodesetConfig;
  readonly hostVars: Readonly<Record<string, unknown>>;
  readonly groupVars: Readonly<Record<string, unknown>>;
}): string {
  const hosts: Record<string, Record<string, unknown>> = {};
  for (const node of options.nodes) {
    const connection = LOCAL_HOSTS.has(node.host)
      ? {
          ansible_connection: "local",
          ansible_python_interpreter: "{{ ansible_playbook_python }}",
        }
      : { ansible_host: node.host };
    hosts[node.name] = {
      ...connection,
      nodepool: { label: node.label },
      ...hostVarsOf(options.hostVars, node.name),
    };
  }

  const children: Record<string, unknown> = {};
  for (const group of options.nodeset.groups) {
    const members = group.nodes.filter((name) => name in hosts);
    children[group.name] = {
      hosts: Object.fromEntries(members.map((name) => [name, {}])),
      ...groupVarsOf(options.groupVars, group.name),
    };
  }
  return stringify({ all: { hosts, children } });
}

function hostVarsOf(hostVars: Readonly<Record<string, unknown>>, host: string): object {
  const vars = hostVars[host];
  return typeof vars === "object" && vars !== null ? vars : {};
}

function groupVarsOf(groupVars: Readonly<Record<string, unknown>>, group: string): object {
  const vars = groupVars[group];
  return typeof vars === "object" && vars !== null ? { vars } : {};
}

/**
 * Writes the executor's ansible.cfg. ANSIBLE_CONFIG points at it, so an ansible.cfg that a job
 * writes into its working directory is never read.
 */
export function ansibleConfig(paths: BuildPaths): string {
  return [
    "[defaults]",
    `inventory = ${paths.inventoryFile}`,
    `local_tmp = ${paths.ansibleTmp}`,
    "retry_files_enabled = False",
    "host_key_checking = False",
    "interpreter_python = auto_silent",
    "nocows = True",
    "",
  ].join("\n");
}

/** Finds an executable by name on PATH, or checks an absolute path; null when there is none. */
export function findExecutable(command: string, path: string | undefined): string | null {
  const candidates = isAbsolute(command)
    ? [command]
    : (path ?? "")
        .split(delimiter)
        .filter((dir) => dir !== "")
        .map((dir) => join(dir, command));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory; keep looking.
    }
  }
  return null;
}
