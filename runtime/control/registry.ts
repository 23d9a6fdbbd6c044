// The command registry: the daemon registers one handler per command, and every request is
// validated with the command's argument validator before its handler runs.
import type {
  ControlCommand,
  ControlCommandArgs,
  ControlReply,
  ControlRequest,
} from "../../messages/requests.js";
import { CONTROL_COMMANDS, isControlCommand, validateArguments } from "./commands.js";
import { ControlError } from "./errors.js";
import { errorReply } from "./protocol.js";

/** Where a request came from, for logs. */
export interface RequestContext {
  readonly requestId: string | number;
  /** Sequence number of the client connection, unique while the server runs. */
  readonly client: number;
}

/** Carries out one command; throw ControlError to choose the reply's error code. */
export type CommandHandler<K extends ControlCommand> = (
  args: ControlCommandArgs[K],
  context: RequestContext,
) => unknown;

type AnyHandler = (args: unknown, context: RequestContext) => unknown;

/** Handlers by command name, and the dispatch of validated requests to them. */
export class CommandRegistry {
  private readonly handlers = new Map<ControlCommand, AnyHandler>();

  /** Registers the handler of a command, replacing any earlier one. */
  handle<K extends ControlCommand>(command: K, handler: CommandHandler<K>): this {
    this.handlers.set(command, handler as AnyHandler);
    return this;
  }

  /** Commands that have a handler. */
  commands(): ControlCommand[] {
    return CONTROL_COMMANDS.filter((command) => this.handlers.has(command));
  }

  /** Validates and runs one request; never rejects, since every failure becomes a reply. */
  async dispatch(request: ControlRequest, client: number): Promise<ControlReply> {
    try {
      const result = await this.run(request, client);
      return { id: request.id, ok: true, result: result ?? null };
    } catch (err) {
      return errorReply(request.id, err);
    }
  }

  private async run(request: ControlRequest, client: number): Promise<unknown> {
    const { command } = request;
    if (!isControlCommand(command)) {
      throw new ControlError(
        "unknown-command",
        `Unknown command ${JSON.stringify(command)}; known commands: ${this.commands().join(", ")}.`,
      );
    }
    const handler = this.handlers.get(command);
    if (handler === undefined) {
      throw new ControlError(
        "unknown-command",
        `Command ${command} is not served by this daemon; served commands: ${this.commands().join(", ")}.`,
      );
    }
    const args = validateArguments(command, request.args);
    return await handler(args, { requestId: request.id, client });
  }
}
