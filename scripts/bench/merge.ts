// `npm run bench -- merge`: builds the speculative states of a 50-change queue through the merger
// on a generated repository of 20,000 files and 5,000 commits. It also times the same 50 merges as
// bare `git merge-tree --write-tree` calls, and the rebuild after a reset at position 10.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { Merger } from "../../actors/merger/merger.js";
import type { MergeChange } from "../../messages/build.js";
import type { MergeRequest } from "../../messages/effects.js";
import type { MergeFailedBody, MergeSucceededBody } from "../../messages/result.js";
import { initBareRepository } from "../../runtime/git/commit-files.js";
import { gitArgs, gitEnvironment, runGit } from "../../runtime/git/process.js";
import { printTable, writeResults } from "./lib-results.js";

const FILES = 20_000;
const COMMITS = 5_000;
const CHANGES = 50;
const RESET_POSITION = 10;
/** Each figure is the median of this many rounds, since the machine is shared. */
const ROUNDS = 3;
const DIRECTORIES = 200;
/** History commits edit files in the first directories only; changes edit the rest. */
const HISTORY_DIRECTORIES = 150;
const PROJECT = "bench/big";

function filePath(index: number): string {
  const directory = index % DIRECTORIES;
  return `dir${String(directory).padStart(3, "0")}/file${String(index).padStart(5, "0")}.txt`;
}

/** Deterministic pseudo-random numbers, so every run generates the same repository. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function data(text: string): string {
  return `data ${String(Buffer.byteLength(text))}\n${text}\n`;
}

/** Writes the fast-import stream: the initial tree, the history and one commit per change. */
function fastImportStream(): string {
  const next = random(42);
  const parts: string[] = [];
  const time = 1_700_000_000;
  const commit = (
    ref: string,
    mark: number,
    from: number | null,
    message: string,
    edits: string[],
  ): void => {
    parts.push(`commit ${ref}\nmark :${String(mark)}\n`);
    parts.push(`committer Bench <bench@example.org> ${String(time + mark)} +0000\n`);
    parts.push(data(message));
    if (from !== null) parts.push(`from :${String(from)}\n`);
    parts.push(...edits);
    parts.push("\n");
  };
  const initial: string[] = [];
  for (let index = 0; index < FILES; index++) {
    initial.push(`M 100644 inline ${filePath(index)}\n${data(`file ${String(index)} version 0`)}`);
  }
  commit("refs/heads/master", 1, null, "Initial tree", initial);
  for (let mark = 2; mark <= COMMITS; mark++) {
    const edits: string[] = [];
    const count = 1 + Math.floor(next() * 4);
    for (let edit = 0; edit < count; edit++) {
      // Only files of the history directories: index % DIRECTORIES < HISTORY_DIRECTORIES.
      const row = Math.floor(next() * (FILES / DIRECTORIES));
      const column = Math.floor(next() * HISTORY_DIRECTORIES);
      const index = row * DIRECTORIES + column;
      edits.push(
        `M 100644 inline ${filePath(index)}\n${data(`file ${String(index)} version ${String(mark)}`)}`,
      );
    }
    commit("refs/heads/master", mark, mark - 1, `History commit ${String(mark)}`, edits);
  }
  for (let change = 1; change <= CHANGES; change++) {
    // Each change edits one file of its own and adds one, on a base up to 20 commits behind.
    const base = COMMITS - (change % 20);
    const index =
      change * DIRECTORIES + HISTORY_DIRECTORIES + (change % (DIRECTORIES - HISTORY_DIRECTORIES));
    const edits = [
      `M 100644 inline ${filePath(index)}\n${data(`file ${String(index)} edited by change ${String(change)}`)}`,
      `M 100644 inline changes/change${String(change)}.txt\n${data(`change ${String(change)}`)}`,
    ];
    commit(changeRef(change), COMMITS + change, base, `Change ${String(change)}`, edits);
  }
  return parts.join("");
}

function changeRef(change: number): string {
  return `refs/changes/${String(change % 100).padStart(2, "0")}/${String(change)}/1`;
}

function fastImport(gitDir: string, stream: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", gitArgs(gitDir, ["fast-import", "--quiet"]), {
      env: gitEnvironment(),
      stdio: ["pipe", "ignore", "inherit"],
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`git fast-import failed with exit code ${String(code)}`));
    });
    child.stdin.end(stream);
  });
}

/** Creates the benchmark repository at `origin`, with the changes under `refs/changes/`. */
export async function generateRepository(origin: string): Promise<void> {
  await initBareRepository(origin);
  await fastImport(origin, fastImportStream());
}

function request(
  buildset: string,
  changes: readonly MergeChange[],
  base: string | null,
): MergeRequest {
  return {
    type: "merge-request",
    tenant: "bench",
    pipeline: "gate",
    item: buildset,
    buildset,
    changes,
    baseBuildset: base,
    projects: [],
    refItem: null,
  };
}

function headOf(body: MergeSucceededBody | MergeFailedBody): string {
  if (!body.ok) throw new Error(`benchmark merge failed: ${body.message}`);
  const commit = body.states[0]?.commit;
  if (commit === undefined) throw new Error("benchmark merge returned no state");
  return commit;
}

/** Builds the queue's states the way a dependent pipeline requests them: all at once. */
async function buildQueue(
  merger: Merger,
  changes: readonly MergeChange[],
  prefix: string,
  base: string | null,
  ahead: readonly MergeChange[],
): Promise<string[]> {
  const requests: Promise<MergeSucceededBody | MergeFailedBody>[] = [];
  let previous = base;
  changes.forEach((_change, index) => {
    const buildset = `${prefix}${String(index + 1)}`;
    requests.push(
      merger.merge(request(buildset, [...ahead, ...changes.slice(0, index + 1)], previous)),
    );
    previous = buildset;
  });
  return (await Promise.all(requests)).map(headOf);
}

export async function main(_args: string[]): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "gatehouse-bench-merge-"));
  try {
    const origin = join(root, "repos", `${PROJECT}.git`);
    process.stdout.write(`generating ${String(FILES)} files and ${String(COMMITS)} commits ...\n`);
    await generateRepository(origin);
    const tip = (await runGit(origin, ["rev-parse", "refs/heads/master"])).stdout.toString().trim();
    const commits = (
      await runGit(origin, ["for-each-ref", "--format=%(objectname)", "refs/changes/"])
    ).stdout
      .toString()
      .trim()
      .split("\n");
    const byNumber = await Promise.all(
      Array.from({ length: CHANGES }, async (_unused, index) => {
        const ref = changeRef(index + 1);
        const commit = (await runGit(origin, ["rev-parse", ref])).stdout.toString().trim();
        return { ref, commit };
      }),
    );
    if (commits.length !== CHANGES) throw new Error(`expected ${String(CHANGES)} change refs`);
    const changes: MergeChange[] = byNumber.map(({ ref, commit }, index) => ({
      connection: "bench",
      project: PROJECT,
      branch: "master",
      id: `${String(index + 1)},1`,
      number: index + 1,
      patchset: 1,
      ref,
      commit,
      mergeMode: "merge",
      message: `Merge change ${String(index + 1)},1`,
    }));

    const merger = new Merger({
      stateDir: join(root, "state"),
      sources: (_connection, project) => join(root, "repos", `${project}.git`),
      workers: 2,
      log: pino({ level: "warn" }),
    });
    const cache = merger.repositoryPath("bench", PROJECT);
    const rounds: { merger: number; reset: number; raw: number }[] = [];
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        rounds.push(await measureRound(merger, cache, tip, changes, `q${String(round)}-`));
      }
    } finally {
      await merger.close();
    }

    const mergerSeconds = median(rounds.map((entry) => entry.merger));
    const rawSeconds = median(rounds.map((entry) => entry.raw));
    const figures = {
      merger_s: round(mergerSeconds),
      raw_git_s: round(rawSeconds),
      ratio: round(mergerSeconds / rawSeconds),
      reset_at_10_s: round(median(rounds.map((entry) => entry.reset))),
      first_round_merger_s: round(rounds[0]?.merger ?? 0),
      first_round_raw_git_s: round(rounds[0]?.raw ?? 0),
      rounds: ROUNDS,
      files: FILES,
      commits: COMMITS,
      changes: CHANGES,
    };
    printTable(Object.entries(figures));
    process.stdout.write(`wrote ${writeResults("merge", figures)}\n`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * Times one round. First the queue's 50 states through the merger, then the rebuild after a
 * reset at position 10 (items 11 to 50 on the state of item 9). Last come the same 50 merges as
 * bare merge-tree calls, one process each, in the merger's repository.
 */
async function measureRound(
  merger: Merger,
  cache: string,
  tip: string,
  changes: readonly MergeChange[],
  prefix: string,
): Promise<{ merger: number; reset: number; raw: number }> {
  let started = performance.now();
  const heads = await buildQueue(merger, changes, prefix, null, []);
  const mergerSeconds = (performance.now() - started) / 1000;

  started = performance.now();
  const behind = changes.slice(RESET_POSITION);
  const ahead = changes.slice(0, RESET_POSITION - 1);
  await buildQueue(
    merger,
    behind,
    `${prefix}reset-`,
    `${prefix}${String(RESET_POSITION - 1)}`,
    ahead,
  );
  const resetSeconds = (performance.now() - started) / 1000;

  started = performance.now();
  for (const [index, change] of changes.entries()) {
    const ours = index === 0 ? tip : (heads[index - 1] ?? tip);
    await runGit(cache, ["merge-tree", "--write-tree", ours, change.commit]);
  }
  const rawSeconds = (performance.now() - started) / 1000;
  return { merger: mergerSeconds, reset: resetSeconds, raw: rawSeconds };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
