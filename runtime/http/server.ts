// The daemon's web server: the status document of each tenant, the Prometheus text and an index
// page that links them. The full status page comes later; this serves the data it will read.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";

import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";

import { formatAuthority, type ListenAddress } from "./listen-address.js";

/** The data the web server shows, provided by the daemon. */
export interface WebSources {
  /** Tenant names, in display order. */
  tenants(): readonly string[];
  /** The status document of a tenant, or null when there is no such tenant. */
  status(tenant: string): Promise<unknown>;
  /** The Prometheus text, or null when Prometheus metrics are not configured. */
  metrics(): string | null;
  /** Directory of the build logs, `DIR/BUILD/job-output.txt`, served at `/logs/BUILD`. */
  readonly buildLogDirectory?: string;
}

export interface HttpServerOptions {
  readonly listen: ListenAddress;
  readonly sources: WebSources;
  readonly log: Logger;
}

/** A listening web server. */
export interface HttpServer {
  /** Base URL, such as `http://127.0.0.1:9000`, with the port actually bound. */
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the web server; rejects when the address cannot be bound. */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const log = options.log.child({ component: "web" });
  const webLog: FastifyBaseLogger = log;
  const app: FastifyInstance = Fastify({
    loggerInstance: webLog,
    logController: new LogController({ disableRequestLogging: true }),
  });
  // Requests are logged at debug level, so a polling status page does not flood the daemon log.
  app.addHook("onResponse", async (request, reply) => {
    log.debug({ url: request.url, status: reply.statusCode, ms: reply.elapsedTime }, "web request");
  });
  addRoutes(app, options.sources);
  app.setErrorHandler((err, request, reply) => {
    log.error({ err, url: request.url }, "web request failed");
    void reply.code(500).send({ error: "internal error; the daemon log has the details" });
  });
  await app.listen({ host: options.listen.host, port: options.listen.port });
  const bound = app.server.address() as AddressInfo;
  const url = `http://${formatAuthority({ host: options.listen.host, port: bound.port })}`;
  log.info({ url }, "web server listening");
  return {
    url,
    close: async () => {
      await app.close();
      log.info({ url }, "web server closed");
    },
  };
}

function addRoutes(app: FastifyInstance, sources: WebSources): void {
  app.get("/", async (_request, reply) => {
    return reply.type("text/html; charset=utf-8").send(indexPage(sources.tenants()));
  });

  app.get("/api/tenants", (_request, reply) => {
    return reply.send(sources.tenants().map((name) => ({ name })));
  });

  app.get<{ Params: { tenant: string } }>("/api/tenant/:tenant/status", async (request, reply) => {
    const { tenant } = request.params;
    const status = await sources.status(tenant);
    if (status === null) {
      const known = sources.tenants().join(", ");
      return reply
        .code(404)
        .send({ error: `tenant ${JSON.stringify(tenant)} not found; known tenants: ${known}` });
    }
    return status;
  });

  const logs = sources.buildLogDirectory;
  if (logs !== undefined) {
    app.get<{ Params: { build: string } }>("/logs/:build", async (request, reply) => {
      const { build } = request.params;
      const path = join(logs, build, "job-output.txt");
      // Build ids are UUIDs, so anything else cannot name a log and never reaches the disk.
      if (!BUILD_ID.test(build) || !(await isFile(path))) {
        return reply.code(404).send({ error: `no log of build ${JSON.stringify(build)}` });
      }
      return reply.type("text/plain; charset=utf-8").send(createReadStream(path));
    });
  }

  app.get("/metrics", async (_request, reply) => {
    const text = sources.metrics();
    if (text === null) {
      return reply
        .code(404)
        .type("text/plain; charset=utf-8")
        .send("Prometheus metrics are off; set metrics.prometheus: true in the daemon config.\n");
    }
    return reply.type("text/plain; version=0.0.4; charset=utf-8").send(text);
  });
}

const BUILD_ID = /^[0-9a-fA-F-]{8,64}$/;

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function indexPage(tenants: readonly string[]): string {
  const items = tenants
    .map((tenant) => {
      const path = `/api/tenant/${encodeURIComponent(tenant)}/status`;
      return `      <li><a href="${path}">${escapeHtml(tenant)}</a>: status document</li>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>gatehouse</title>
  </head>
  <body>
    <h1>gatehouse</h1>
    <h2>Tenants</h2>
    <ul>
${items}
    </ul>
    <p><a href="/metrics">Prometheus metrics</a></p>
  </body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}
