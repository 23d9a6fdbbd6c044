// The daemon's web server and its listen addresses.
export * from "./listen-address.js";
export * from "./server.js";
