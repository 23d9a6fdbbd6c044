// The Ansible inventory a build gets for its nodes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { inventoryYaml } from "../../actors/executor/ansible.js";

test("inventory lists nodes, groups and vars", () => {
  const text = inventoryYaml({
    nodes: [
      { name: "controller", label: "local", nodeName: "local", host: "localhost" },
      { name: "worker", label: "ubuntu", nodeName: "builder-1", host: "192.0.2.10" },
    ],
    nodeset: {
      name: "pair",
      nodes: [
        { name: "controller", label: "local" },
        { name: "worker", label: "ubuntu" },
      ],
      groups: [{ name: "workers", nodes: ["worker", "not-allocated"] }],
    },
    hostVars: { worker: { role: "compute" } },
    groupVars: { workers: { pool: "blue" } },
  });
  const inventory = parse(text) as {
    all: {
      hosts: Record<string, Record<string, unknown>>;
      children: Record<string, { hosts: Record<string, unknown>; vars?: unknown }>;
    };
  };
  assert.is(inventory.all.hosts.controller?.ansible_connection, "local");
  assert.is(inventory.all.hosts.worker?.ansible_host, "192.0.2.10");
  assert.is(inventory.all.hosts.worker?.role, "compute");
  assert.equal(inventory.all.hosts.worker?.nodepool, { label: "ubuntu" });
  assert.equal(Object.keys(inventory.all.children.workers?.hosts ?? {}), ["worker"]);
  assert.equal(inventory.all.children.workers?.vars, { pool: "blue" });
});

test.run();
