// Readers of the daemon's replies, for the CLI's messages.

/** The `tenant` of a management command's result, or `?` when the reply has none. */
export function tenantOf(result: unknown): string {
  return typeof result === "object" && result !== null && "tenant" in result
    ? String(result.tenant)
    : "?";
}

/** The `tenants` of a result that covers several tenants, joined with commas. */
export function tenantsOf(result: unknown): string {
  if (typeof result !== "object" || result === null || !("tenants" in result)) return "?";
  const tenants = result.tenants;
  return Array.isArray(tenants) ? tenants.map(String).join(", ") : "?";
}
