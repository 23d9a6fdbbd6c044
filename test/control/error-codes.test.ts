import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";

import { CONTROL_COMMANDS, CONTROL_ERROR_CODES } from "../../runtime/control/index.js";

const docs = readFileSync(
  fileURLToPath(new URL("../../../docs/operation.md", import.meta.url)),
  "utf8",
);

test("every error code is documented", () => {
  for (const code of Object.keys(CONTROL_ERROR_CODES)) {
    assert.ok(docs.includes(`| \`${code}\` |`), `docs/operation.md lists ${code}`);
  }
});

test("every command is documented", () => {
  for (const command of CONTROL_COMMANDS) {
    assert.ok(docs.includes(`\`${command}\``), `docs/operation.md names ${command}`);
  }
});

test.run();
