// Runs every compiled uvu test file under dist/test in its own Node process, two at a time, and
// prints one summary line. A file per process keeps worker threads, timers and temporary
// directories of one suite from leaking into another.
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

interface FileOutcome {
  file: string;
  passed: number;
  failed: number;
  skipped: number;
  exitCode: number;
  output: string;
  seconds: number;
}

const testRoot = fileURLToPath(new URL("../test", import.meta.url));

function findTestFiles(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      found.push(...findTestFiles(path));
    } else if (name.endsWith(".test.js")) {
      found.push(path);
    }
  }
  return found;
}

function readCount(output: string, label: string): number {
  const match = new RegExp(`^\\s*${label}:\\s+(\\d+)`, "m").exec(output);
  return match?.[1] === undefined ? 0 : Number(match[1]);
}

function runFile(file: string): Promise<FileOutcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], {
      env: { ...process.env, FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("close", (code) => {
      const total = readCount(output, "Total");
      const passed = readCount(output, "Passed");
      const skipped = readCount(output, "Skipped");
      const exitCode = code ?? 1;
      // A file that crashed before uvu printed its summary counts as one failure.
      const failed = Math.max(total - passed - skipped, exitCode === 0 ? 0 : 1);
      resolve({
        file,
        passed,
        failed,
        skipped,
        exitCode,
        output,
        seconds: (Date.now() - started) / 1000,
      });
    });
  });
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const files = findTestFiles(testRoot).filter(
    (file) => filters.length === 0 || filters.some((filter) => file.includes(filter)),
  );
  const outcomes: FileOutcome[] = [];
  let next = 0;
  const workers = Array.from({ length: Math.min(2, availableParallelism()) }, async () => {
    while (next < files.length) {
      const file = files[next++];
      if (file === undefined) break;
      const outcome = await runFile(file);
      outcomes.push(outcome);
      const name = relative(testRoot, file);
      const verdict = outcome.failed > 0 ? "FAIL" : "ok  ";
      process.stdout.write(
        `${verdict} ${name} (${outcome.passed} passed, ${outcome.failed} failed, ${outcome.seconds.toFixed(1)} s)\n`,
      );
      if (outcome.failed > 0) process.stdout.write(outcome.output + "\n");
    }
  });
  await Promise.all(workers);

  const passed = outcomes.reduce((sum, outcome) => sum + outcome.passed, 0);
  const failed = outcomes.reduce((sum, outcome) => sum + outcome.failed, 0);
  const skipped = outcomes.reduce((sum, outcome) => sum + outcome.skipped, 0);
  if (files.length === 0) {
    process.stdout.write("no test files matched\n");
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  process.exitCode = failed > 0 ? 1 : 0;
}

await main();
