// The control socket: protocol, argument validators, command registry, server and client.
export * from "./errors.js";
export * from "./protocol.js";
export * from "./argument-reader.js";
export * from "./commands.js";
export * from "./registry.js";
export * from "./socket-file.js";
export * from "./server.js";
export * from "./client.js";
