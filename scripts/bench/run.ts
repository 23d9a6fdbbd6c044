// `npm run bench -- NAME`: runs scripts/bench/NAME.ts, which prints a table and writes
// bench-results/NAME.json.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const name = process.argv[2];
const benchDir = fileURLToPath(new URL(".", import.meta.url));
const available = readdirSync(benchDir)
  .filter((file) => file.endsWith(".js") && file !== "run.js" && !file.startsWith("lib-"))
  .map((file) => file.slice(0, -3))
  .sort();

if (name === undefined || !available.includes(name)) {
  process.stderr.write(
    `${name === undefined ? "missing benchmark name" : `unknown benchmark "${name}"`}; ` +
      `run one of: ${available.map((bench) => `npm run bench -- ${bench}`).join(", ")}\n`,
  );
  process.exit(2);
}

const bench = (await import(`./${name}.js`)) as { main: (args: string[]) => Promise<void> };
await bench.main(process.argv.slice(3));
