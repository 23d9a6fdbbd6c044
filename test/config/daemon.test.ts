// The daemon config: values, defaults and errors with positions.
import { test } from "uvu";
import * as assert from "uvu/assert";

import {
  daemonConnectionDrivers,
  daemonHostnames,
  parseDaemonConfig,
} from "../../runtime/config/index.js";

const VALID = `state-dir: /srv/gatehouse
tenant-config: main.yaml
connections:
  local:
    driver: local
    repos: repos
  gerrit:
    driver: gerrit
    hostname: review.example.com
    server: review.example.com
nodes:
  - name: builder
    labels: [ubuntu, small]
    max-parallel-jobs: 4
web:
  listen: 127.0.0.1:9100
metrics:
  statsd: 127.0.0.1:8125
  prometheus: true
`;

test("daemon config reads every section", () => {
  const { config, errors } = parseDaemonConfig(VALID, "gatehouse.yaml");
  assert.equal(errors, []);
  assert.is(config?.stateDir, "/srv/gatehouse");
  assert.is(config?.tenantConfig, "main.yaml");
  assert.equal(config?.nodes, [
    { name: "builder", labels: ["ubuntu", "small"], maxParallelJobs: 4 },
  ]);
  assert.is(config?.listen, "127.0.0.1:9100");
  assert.is(config?.statsd, "127.0.0.1:8125");
  assert.is(config?.prometheus, true);
  assert.equal(config?.connections[0]?.options, { repos: "repos" });
  if (config !== null) {
    assert.equal(daemonConnectionDrivers(config), {
      timer: "timer",
      zuul: "zuul",
      local: "local",
      gerrit: "gerrit",
    });
    assert.equal(daemonHostnames(config), { local: "local", gerrit: "review.example.com" });
  }
});

test("daemon config defaults", () => {
  const { config } = parseDaemonConfig("tenant-config: main.yaml\n", "gatehouse.yaml");
  assert.is(config?.stateDir, null);
  assert.is(config?.listen, "127.0.0.1:9000");
  assert.is(config?.mergerWorkers, 2);
  assert.is(config?.controlSocket, null);
  assert.equal(config?.nodes, []);
});

test("daemon config errors have positions", () => {
  const cases: [string, string, number, number][] = [
    ["connections: {}\n", 'missing required attribute "tenant-config"', 1, 1],
    [
      "tenant-config: m.yaml\nconections: {}\n",
      'unknown attribute "conections"; did you mean "connections"?',
      2,
      1,
    ],
    [
      "tenant-config: m.yaml\nconnections:\n  g:\n    driver: gerit\n",
      'invalid value "gerit"; did you mean "gerrit"?',
      4,
      13,
    ],
    [
      "tenant-config: m.yaml\nconnections:\n  g:\n    server: x\n",
      'missing required attribute "driver"',
      4,
      5,
    ],
    [
      "tenant-config: m.yaml\nweb:\n  listen: localhost\n",
      'invalid listen address "localhost"',
      3,
      11,
    ],
    [
      "tenant-config: m.yaml\nnodes:\n  - name: a\n    labels: [x]\n    max-parallel-jobs: 0\n",
      "at least 1",
      5,
      24,
    ],
    [
      "tenant-config: m.yaml\nnodes:\n  - name: a\n    labels: [x]\n  - name: a\n    labels: [y]\n",
      'node "a" is configured twice',
      5,
      11,
    ],
  ];
  for (const [text, fragment, line, column] of cases) {
    const { config, errors } = parseDaemonConfig(text, "gatehouse.yaml");
    const found = errors.find((error) => error.message.includes(fragment));
    assert.ok(found !== undefined, `${fragment}: ${JSON.stringify(errors)}`);
    assert.is(`${found.line}:${found.column}`, `${line}:${column}`, fragment);
    assert.is(config, null);
  }
});

test.run();
