// Playbook steps through the real ansible-playbook (Debian's ansible-core), against localhost.
import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ExecutorOptions } from "../../actors/executor/index.js";
import type { FrozenJob } from "../../messages/layout.js";
import {
  makeExecutor,
  makeJob,
  makeLaunch,
  playbook,
  temporaryDir,
  TestProject,
} from "./fixtures.js";

const PLAYBOOK = `- hosts: all
  gather_facts: false
  tasks:
    - name: Show the change under test
      debug:
        msg: "testing change {{ zuul.change }} of {{ zuul.project.name }} with {{ greeting }}"
    - name: Write a file in the workspace
      copy:
        dest: "{{ zuul.executor.work_root }}/from-ansible.txt"
        content: "{{ inventory_hostname }} {{ ansible_connection }}\\n"
    - name: Read the file back through a command
      command: cat from-ansible.txt
      args:
        chdir: "{{ zuul.executor.work_root }}"
      register: readback
    - name: Show what the command read
      debug:
        msg: "read back: {{ readback.stdout }}"
`;

const FAILING_PLAYBOOK = `- hosts: all
  gather_facts: false
  tasks:
    - fail:
        msg: the playbook failed on purpose
`;

async function runPlaybookJob(job: FrozenJob, overrides: Partial<ExecutorOptions> = {}) {
  const { dir, remove } = temporaryDir("ansible");
  const project = new TestProject(dir, "org/project");
  const base = project.commit(
    { "playbooks/run.yaml": PLAYBOOK, "playbooks/fail.yml": FAILING_PLAYBOOK },
    null,
  );
  project.setBranch("master", base);
  const executor = makeExecutor(dir, [project], overrides);
  const launch = makeLaunch({ job, states: [project.state("master", "bs-1", base, base)] });
  const completed = await executor.launch(launch, () => undefined);
  const output = readFileSync(executor.outputPath(launch.build), "utf8");
  return { completed, output, remove };
}

test("playbook runs against localhost", async () => {
  const job = makeJob({ run: [playbook("playbooks/run.yaml")], vars: { greeting: "hello vars" } });
  const { completed, output, remove } = await runPlaybookJob(job);
  try {
    assert.is(completed.result, "SUCCESS", output);
    assert.ok(output.includes("testing change 7 of org/project with hello vars"), output);
    assert.ok(output.includes("read back: controller local"), "the command ran on the local node");
    assert.match(output, /controller\s+: ok=4/);
  } finally {
    remove();
  }
});

test("failing playbook is FAILURE", async () => {
  const job = makeJob({ run: [playbook("playbooks/fail.yml")] });
  const { completed, output, remove } = await runPlaybookJob(job);
  try {
    assert.is(completed.result, "FAILURE");
    assert.ok(output.includes("the playbook failed on purpose"), output);
  } finally {
    remove();
  }
});

test("missing ansible-playbook is ERROR", async () => {
  const job = makeJob({ run: [playbook("playbooks/run.yaml")] });
  const { completed, output, remove } = await runPlaybookJob(job, {
    ansiblePlaybook: "/nonexistent/bin/ansible-playbook",
  });
  try {
    assert.is(completed.result, "ERROR");
    assert.match(completed.message ?? "", /not found on PATH; install ansible-core/);
    assert.not.ok(output.includes("PLAY ["), "the playbook must not run some other way");
  } finally {
    remove();
  }
});

test.run();
