// `gatehouse info`: describes the running daemon: version, pid, paths, web address, connections.
import type { Command } from "commander";

import type { DaemonInfo } from "../../messages/requests.js";
import {
  addClientOptions,
  printJson,
  runAction,
  sendCommand,
  type ClientOptions,
} from "./lib-control.js";

interface InfoOptions extends ClientOptions {
  readonly json?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command("info")
    .description("describe the running daemon: version, pid, paths, web address, connections")
    .option("--json", "print the reply as JSON");
  addClientOptions(command).action(
    runAction(async (options: InfoOptions) => {
      const info = (await sendCommand(options, "info", {})) as DaemonInfo;
      if (options.json === true) {
        printJson(info);
        return;
      }
      const lines = [
        `gatehouse ${info.version}, pid ${info.pid}, up since ${new Date(info.startedAt).toISOString()}`,
        `state directory: ${info.stateDir}`,
        `control socket:  ${info.socket}`,
        `web:             ${info.webUrl ?? "off"}`,
        `tenants:         ${info.tenants.join(", ")}`,
        ...info.localConnections.map(
          (connection) =>
            `local connection ${connection.name}: ${connection.root} (${connection.projects.join(", ")})`,
        ),
      ];
      process.stdout.write(lines.join("\n") + "\n");
    }),
  );
}
