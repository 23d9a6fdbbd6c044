import { test } from "uvu";
import * as assert from "uvu/assert";

import { parseListenAddress, startHttpServer, type WebSources } from "../../runtime/http/index.js";
import { silentLog } from "../control/fixtures.js";

function sources(metrics: string | null): WebSources {
  return {
    tenants: () => ["main", "a<b"],
    status: (tenant) =>
      Promise.resolve(tenant === "main" ? { zuul_version: "x", pipelines: [] } : null),
    metrics: () => metrics,
  };
}

test("listen address parses host and port", () => {
  assert.equal(parseListenAddress("127.0.0.1:9000"), { host: "127.0.0.1", port: 9000 });
  assert.equal(parseListenAddress("[::1]:0"), { host: "::1", port: 0 });
  assert.equal(parseListenAddress("localhost:80"), { host: "localhost", port: 80 });
});

test("listen address rejects bad forms", () => {
  for (const bad of ["9000", "host:", ":9000", "host:99999", "a b:1", "::1:9000"]) {
    assert.throws(
      () => parseListenAddress(bad, "--listen"),
      /--listen .* is invalid; expected HOST:PORT/,
      bad,
    );
  }
});

test("web server serves status, metrics and index", async () => {
  const server = await startHttpServer({
    listen: { host: "127.0.0.1", port: 0 },
    sources: sources("zuul_pipeline_current_changes 1\n"),
    log: silentLog,
  });
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);

    const status = await fetch(`${server.url}/api/tenant/main/status`);
    assert.is(status.status, 200);
    assert.equal(await status.json(), { zuul_version: "x", pipelines: [] });

    const missing = await fetch(`${server.url}/api/tenant/nope/status`);
    assert.is(missing.status, 404);
    const body = (await missing.json()) as { error: string };
    assert.match(body.error, /tenant "nope" not found; known tenants: main, a<b/);

    const metrics = await fetch(`${server.url}/metrics`);
    assert.is(metrics.status, 200);
    assert.match(metrics.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    assert.is(await metrics.text(), "zuul_pipeline_current_changes 1\n");

    const index = await fetch(`${server.url}/`);
    const html = await index.text();
    assert.match(html, /href="\/api\/tenant\/main\/status"/);
    assert.match(html, /href="\/metrics"/);
    assert.match(html, /a&lt;b/);

    const tenants = await fetch(`${server.url}/api/tenants`);
    assert.equal(await tenants.json(), [{ name: "main" }, { name: "a<b" }]);
  } finally {
    await server.close();
  }
});

test("metrics off gives 404 with advice", async () => {
  const server = await startHttpServer({
    listen: { host: "127.0.0.1", port: 0 },
    sources: sources(null),
    log: silentLog,
  });
  try {
    const metrics = await fetch(`${server.url}/metrics`);
    assert.is(metrics.status, 404);
    assert.match(await metrics.text(), /set metrics\.prometheus: true/);
  } finally {
    await server.close();
  }
});

test("status handler failure gives 500", async () => {
  const server = await startHttpServer({
    listen: { host: "127.0.0.1", port: 0 },
    sources: { ...sources(null), status: () => Promise.reject(new Error("mirror gone")) },
    log: silentLog,
  });
  try {
    const status = await fetch(`${server.url}/api/tenant/main/status`);
    assert.is(status.status, 500);
  } finally {
    await server.close();
  }
});

test.run();
