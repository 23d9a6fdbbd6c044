// `npm run demo`: starts the daemon on the embedded default in a temporary state directory,
// proposes four changes to the sample project (one whose test fails, two that edit the same
// line), approves them together, waits for the gate, prints what merged and what was rejected
// and why, stops the daemon, and exits 0 only when those outcomes are the expected ones.
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { ControlClient } from "../runtime/control/index.js";

const CLI = fileURLToPath(new URL("./gatehouse.js", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** One change of the demo: its files and the outcome the gate must reach. */
interface DemoChange {
  readonly subject: string;
  readonly files: Readonly<Record<string, string>>;
  readonly executable?: readonly string[];
  readonly expected: "MERGED" | "test failure" | "merge conflict";
  number?: number;
}

const CHANGES: DemoChange[] = [
  {
    subject: "Add a farewell",
    files: {
      "farewell.txt": "Goodbye!\n",
      "tests/farewell.test.sh": "#!/bin/sh\ngrep -q Goodbye farewell.txt\n",
    },
    executable: ["tests/farewell.test.sh"],
    expected: "MERGED",
  },
  {
    subject: "Require a greeting nobody wrote",
    files: { "tests/missing.test.sh": '#!/bin/sh\ngrep -q "Good morning" greeting.txt\n' },
    executable: ["tests/missing.test.sh"],
    expected: "test failure",
  },
  {
    subject: "Greet the world loudly",
    files: { "greeting.txt": "HELLO, WORLD!\n" },
    expected: "MERGED",
  },
  {
    subject: "Greet the team",
    files: { "greeting.txt": "Hello, team!\n" },
    expected: "merge conflict",
  },
];

interface ChangeView {
  readonly status: string;
  readonly labels: readonly {
    readonly label: string;
    readonly value: number;
    readonly by: string;
  }[];
  readonly messages: readonly { readonly author: string; readonly message: string }[];
}

function say(line: string): void {
  process.stdout.write(line + "\n");
}

function run(
  command: string,
  args: readonly string[],
  cwd: string,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "Demo Developer",
        GIT_AUTHOR_EMAIL: "demo@example.org",
        GIT_COMMITTER_NAME: "Demo Developer",
        GIT_COMMITTER_EMAIL: "demo@example.org",
      },
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => {
      resolve({ code: code ?? 1, output });
    });
  });
}

async function runOk(command: string, args: readonly string[], cwd: string): Promise<string> {
  const result = await run(command, args, cwd);
  if (result.code !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${result.output}`);
  return result.output;
}

function startDaemon(stateDir: string): Promise<{ child: ChildProcess; exited: Promise<number> }> {
  const child = spawn(
    process.execPath,
    [CLI, "daemon", "--state-dir", stateDir, "--listen", "127.0.0.1:0", "--log-level", "warn"],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const exited = new Promise<number>((resolve) =>
    child.once("exit", (code) => {
      resolve(code ?? 1);
    }),
  );
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("is running")) resolve({ child, exited });
    });
    void exited.then((code) => {
      reject(new Error(`the daemon exited with ${code} while starting`));
    });
  });
}

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Reads the outcome the gate reached for a change from its status and gatehouse's messages. */
function outcomeOf(view: ChangeView): { outcome: string; reason: string } {
  const last = [...view.messages].reverse().find((message) => message.author === "gatehouse");
  const lines = last?.message.split("\n").filter((line) => line.trim() !== "") ?? [];
  // A failure report names each failed job on a line of its own; show those as the reason.
  const failedJobs = lines.filter((line) =>
    / : (FAILURE|ERROR|TIMED_OUT|RETRY_LIMIT)\b/.test(line),
  );
  const reason = (failedJobs.length > 0 ? failedJobs.join("; ") : lines[0]) ?? "no report";
  if (view.status === "MERGED") return { outcome: "MERGED", reason };
  if (last?.message.startsWith("Merge Failed") === true)
    return { outcome: "merge conflict", reason };
  if (last?.message.includes("FAILURE") === true) return { outcome: "test failure", reason };
  return { outcome: view.status, reason };
}

async function proposeAll(stateDir: string, client: ControlClient): Promise<void> {
  const work = join(stateDir, "demo-work");
  await runOk("git", ["clone", "-q", join(stateDir, "repos", "demo", "hello.git"), work], stateDir);
  for (const [index, change] of CHANGES.entries()) {
    await runOk(
      "git",
      ["checkout", "-q", "-b", `change-${index}`, "--track", "origin/master"],
      work,
    );
    for (const [path, content] of Object.entries(change.files)) {
      writeFileSync(join(work, path), content);
      if (change.executable?.includes(path) === true) chmodSync(join(work, path), 0o755);
    }
    await runOk("git", ["add", "--all"], work);
    await runOk("git", ["commit", "-q", "-m", change.subject], work);
    const output = await runOk(process.execPath, [CLI, "propose", "--state-dir", stateDir], work);
    const number = /change (\d+)/.exec(output)?.[1];
    if (number === undefined) throw new Error(`propose printed no change number:\n${output}`);
    change.number = Number(number);
    say(`  proposed change ${number}: ${change.subject}`);
  }
  await waitFor("check results on every change", async () => {
    for (const change of CHANGES) {
      const view = (await client.request("show", { change: change.number ?? 0 })) as ChangeView;
      if (
        !view.labels.some(
          (vote) => vote.label === "Verified" && vote.by === "gatehouse" && vote.value !== 0,
        )
      ) {
        return false;
      }
    }
    return true;
  });
}

async function approveAll(stateDir: string, client: ControlClient): Promise<void> {
  // Paused, the approvals wait as trigger events and enter the gate together, in order, on resume.
  await client.request("pause", {});
  for (const change of CHANGES) {
    await runOk(
      process.execPath,
      [
        CLI,
        "review",
        String(change.number),
        "--label",
        "Code-Review=+2",
        "--label",
        "Workflow=+1",
        "--state-dir",
        stateDir,
      ],
      stateDir,
    );
  }
  await client.request("resume", {});
  say("  approved all four; the gate tests them in order, each on top of the ones ahead");
  await waitFor("the gate to finish", async () => {
    for (const change of CHANGES) {
      const view = (await client.request("show", { change: change.number ?? 0 })) as ChangeView;
      const gateVote = view.labels.find(
        (vote) => vote.label === "Verified" && vote.by === "gatehouse",
      );
      if (view.status !== "MERGED" && gateVote?.value !== -2) return false;
    }
    return true;
  });
}

async function main(): Promise<number> {
  const stateDir = mkdtempSync(join(tmpdir(), "gh-demo-"));
  say(`Starting the daemon in ${stateDir}`);
  const daemon = await startDaemon(stateDir);
  let client: ControlClient | null = null;
  let ok: boolean;
  try {
    client = await ControlClient.connect(join(stateDir, "gatehouse.sock"));
    say("Proposing four changes to demo/hello:");
    await proposeAll(stateDir, client);
    await approveAll(stateDir, client);
    say("Outcomes:");
    ok = true;
    for (const change of CHANGES) {
      const view = (await client.request("show", { change: change.number ?? 0 })) as ChangeView;
      const { outcome, reason } = outcomeOf(view);
      const verdict = outcome === change.expected ? "as expected" : `EXPECTED ${change.expected}`;
      say(`  change ${change.number}, ${change.subject}: ${outcome} (${reason}) ${verdict}`);
      ok &&= outcome === change.expected;
    }
    const history = await runOk(
      "git",
      [
        "--git-dir",
        join(stateDir, "repos", "demo", "hello.git"),
        "log",
        "--first-parent",
        "--format=%s",
        "master",
      ],
      stateDir,
    );
    say("History of master, newest first:");
    for (const line of history.trim().split("\n")) say(`  ${line}`);
    const merged = CHANGES.filter((change) => change.expected === "MERGED").map(
      (change) => change.subject,
    );
    const subjects = history.trim().split("\n");
    const order = merged.map((subject) => subjects.findIndex((line) => line.includes(subject)));
    const [first = -1, second = -1] = order;
    // --first-parent lists the newest first, so the change approved first comes later.
    const inOrder = first >= 0 && second >= 0 && first > second;
    if (!inOrder) say("  EXPECTED the merged changes on master in approval order");
    ok &&= inOrder;
  } finally {
    client?.close();
    await run(process.execPath, [CLI, "stop", "--state-dir", stateDir], stateDir);
    const code = await daemon.exited;
    say(`Daemon stopped (exit status ${code}).`);
    rmSync(stateDir, { recursive: true, force: true });
  }
  say(ok ? "Demo passed." : "Demo FAILED: an outcome was not the expected one.");
  return ok ? 0 : 1;
}

process.exitCode = await main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  return 1;
});
