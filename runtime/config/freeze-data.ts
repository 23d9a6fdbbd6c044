// Deep freezing of plain configuration data, so a layout or a cached parse cannot be changed by
// accident after it is built. Frozen objects are skipped, which keeps shared subtrees cheap.

export function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  return value;
}
