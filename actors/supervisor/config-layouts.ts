// TenantLayouts over the configuration loader: a tenant's layout from its projects' branches,
// and speculative layouts for items that edit untrusted projects' configuration.
import type { Layout } from "../../messages/layout.js";
import {
  loadLayout,
  loadSpeculativeLayout,
  parseTenantConfig,
  type ConnectionDrivers,
  type RepositoryReader,
  type TenantConfig,
} from "../../runtime/config/index.js";

import type { LayoutLoad, TenantLayouts } from "./services.js";

export interface ConfigLayoutsOptions {
  readonly tenant: TenantConfig;
  readonly reader: RepositoryReader;
  readonly connections: ConnectionDrivers;
  /** `inline` builds layouts on this thread; `worker` in the loader's worker thread. */
  readonly placement: "inline" | "worker";
  readonly now: () => number;
}

export class ConfigLayouts implements TenantLayouts {
  readonly tenant: string;

  constructor(private readonly options: ConfigLayoutsOptions) {
    this.tenant = options.tenant.name;
  }

  /**
   * Parses tenant config text and returns the loader of the tenant named `name`. Throws with the
   * first error when the text is invalid or defines no such tenant.
   */
  static fromText(
    text: string,
    file: string,
    name: string,
    options: Omit<ConfigLayoutsOptions, "tenant">,
  ): ConfigLayouts {
    const parsed = parseTenantConfig(text, file);
    const error = parsed.errors.find((candidate) => candidate.severity === "error");
    if (error !== undefined) {
      throw new Error(`${file}:${error.line}:${error.column}: ${error.message}`);
    }
    const tenant = parsed.tenants.find((candidate) => candidate.name === name);
    if (tenant === undefined) throw new Error(`${file} defines no tenant "${name}"`);
    return new ConfigLayouts({ ...options, tenant });
  }

  load(previous?: Layout): Promise<LayoutLoad> {
    return loadLayout(this.options.tenant, this.options.reader, {
      connections: this.options.connections,
      placement: this.options.placement,
      now: this.options.now,
      previous,
    });
  }

  loadSpeculative(
    base: Layout,
    overlay: Readonly<Record<string, Readonly<Record<string, string>>>>,
    branch: string,
  ) {
    return loadSpeculativeLayout(base, this.options.tenant, this.options.reader, overlay, branch);
  }
}
