// Shared output of the benchmarks: a plain table on stdout and bench-results/NAME.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { arch, cpus, platform, totalmem } from "node:os";
import { join } from "node:path";

export function printTable(rows: readonly (readonly [string, string | number])[]): void {
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) {
    process.stdout.write(`${label.padEnd(width)}  ${String(value)}\n`);
  }
}

/** Describes the machine, for the record in docs/benchmarks.md. */
export function machineDescription(): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const memoryGiB = Math.round(totalmem() / 2 ** 30);
  return `${platform()} ${arch()}, ${cpus().length} x ${cpu}, ${memoryGiB} GiB, Node ${process.version}`;
}

/** Writes `figures` with the date and machine to bench-results/NAME.json and returns the path. */
export function writeResults(name: string, figures: Record<string, unknown>): string {
  const dir = join(process.cwd(), "bench-results");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.json`);
  const record = { ...figures, date: new Date().toISOString(), machine: machineDescription() };
  writeFileSync(path, JSON.stringify(record, null, 2) + "\n");
  return path;
}
