// Public surface of the node provider, for the supervisor that wires it to the pipelines.
export {
  NodeProvider,
  type NodeProviderOptions,
  type NodeRequestCallback,
  type NodeRequestOutcome,
  type NodeUsage,
} from "./node-provider.js";
export { defaultNodes, LOCAL_NODE_NAME, validateNodes, type NodeConfig } from "./node-config.js";
export { nodeServiceOf } from "./node-service.js";
