// comlink 4.4 ships its Node adapter as an .mjs file whose types sit beside it under a .d.ts name
// that NodeNext resolution does not pick up for an .mjs import.
declare module "comlink/dist/esm/node-adapter.mjs" {
  import type { Endpoint } from "comlink";
  import type { NodeEndpoint } from "comlink/dist/esm/node-adapter.js";
  export default function nodeEndpoint(endpoint: NodeEndpoint): Endpoint;
}
