// The executor through the supervisor's ExecutorService interface.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { executorServiceOf } from "../../actors/executor/index.js";
import type { BuildProgress } from "../../actors/supervisor/services.js";
import {
  makeExecutor,
  makeJob,
  makeLaunch,
  playbook,
  temporaryDir,
  TestProject,
  waitFor,
} from "./fixtures.js";

test("service reports start then completion", async () => {
  const { dir, remove } = temporaryDir("executor-service");
  try {
    const project = new TestProject(dir, "org/project");
    const script = { executable: true as const, content: "#!/bin/sh\nexit 0\n" };
    const base = project.commit(
      { "ok.sh": script, "hang.sh": { ...script, content: "#!/bin/sh\nsleep 300\n" } },
      null,
    );
    project.setBranch("master", base);
    const executor = makeExecutor(dir, [project]);
    const service = executorServiceOf(executor);
    const states = [project.state("master", "bs-1", base, base)];

    const progress: BuildProgress[] = [];
    const ok = makeLaunch({ job: makeJob({ run: [playbook("ok.sh")] }), states });
    service.launch(ok, (event) => progress.push(event));
    assert.ok(await waitFor(() => progress.length === 2), "the build completed");
    assert.equal(
      progress.map((event) => event.kind),
      ["build-started", "build-completed"],
    );
    const completed = progress[1];
    assert.is(completed?.kind === "build-completed" ? completed.body.result : "none", "SUCCESS");

    const hung: BuildProgress[] = [];
    const hang = makeLaunch({ job: makeJob({ run: [playbook("hang.sh")] }), states });
    service.launch(hang, (event) => hung.push(event));
    assert.ok(await waitFor(() => executor.runningBuilds().includes(hang.build)));
    service.cancel({
      type: "build-cancel",
      tenant: hang.tenant,
      pipeline: hang.pipeline,
      item: hang.item,
      build: hang.build,
    });
    assert.ok(await waitFor(() => hung.length === 2), "the canceled build completed");
    const aborted = hung[1];
    assert.is(aborted?.kind === "build-completed" ? aborted.body.result : "none", "ABORTED");
    await executor.close();
  } finally {
    remove();
  }
});

test.run();
