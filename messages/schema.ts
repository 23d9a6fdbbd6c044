// A small schema-style validator kit. Each check takes an unknown value and the path it was found
// at. It returns the value typed, or throws a ValidationError naming the path and the expected
// type. Objects pass through as they are, so fields a check does not list are kept.

/** Raised for input of the wrong shape: `path` is where, `expected` is what it should have been. */
export class ValidationError extends TypeError {
  override readonly name: string = "ValidationError";

  constructor(
    readonly path: string,
    readonly expected: string,
    readonly actual: string,
    message = `${path} must be ${expected}, got ${actual}`,
  ) {
    super(message);
  }
}

/** Checks one value found at `path`. */
export type Check<T> = (value: unknown, path: string) => T;

/** A check for an object field that may be missing. */
export interface OptionalCheck<T> extends Check<T | undefined> {
  readonly optional: true;
}

type Shape = Readonly<Record<string, Check<unknown>>>;

type CheckedType<C> = C extends Check<infer T> ? T : never;
type RequiredKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends OptionalCheck<unknown> ? never : K;
}[keyof S];
type OptionalKeys<S extends Shape> = Exclude<keyof S, RequiredKeys<S>>;

/** The type an object check with shape `S` returns. */
export type ShapeType<S extends Shape> = {
  readonly [K in RequiredKeys<S>]: CheckedType<S[K]>;
} & { readonly [K in OptionalKeys<S>]?: Exclude<CheckedType<S[K]>, undefined> };

/** Describes a value for an error message: its type, and short scalars as they are. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing (the field is missing)";
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "string") {
    return value.length > 40 ? `a string of ${value.length} characters` : `"${value}"`;
  }
  if (typeof value === "number" || typeof value === "boolean") {
    return `${typeof value} ${String(value)}`;
  }
  return typeof value === "object" ? "an object" : typeof value;
}

function fail(path: string, expected: string, value: unknown): never {
  throw new ValidationError(path, expected, describeValue(value));
}

export const string: Check<string> = (value, path) =>
  typeof value === "string" ? value : fail(path, "a string", value);

export const nonEmptyString: Check<string> = (value, path) =>
  typeof value === "string" && value.length > 0 ? value : fail(path, "a non-empty string", value);

/** A finite number. */
export const number: Check<number> = (value, path) =>
  typeof value === "number" && Number.isFinite(value)
    ? value
    : fail(path, "a finite number", value);

export const integer: Check<number> = (value, path) =>
  Number.isSafeInteger(value) ? (value as number) : fail(path, "an integer", value);

export const boolean: Check<boolean> = (value, path) =>
  typeof value === "boolean" ? value : fail(path, "a boolean", value);

/** Returns a check that accepts only the given string literals. */
export function oneOf<const T extends string>(values: readonly T[]): Check<T> {
  const allowed = new Set<string>(values);
  const expected = `one of ${values.map((item) => `"${item}"`).join(", ")}`;
  return (value, path) =>
    typeof value === "string" && allowed.has(value) ? (value as T) : fail(path, expected, value);
}

export function nullable<T>(check: Check<T>): Check<T | null> {
  return (value, path) => (value === null ? null : check(value, path));
}

export function optional<T>(check: Check<T>): OptionalCheck<T> {
  const optionalCheck = (value: unknown, path: string): T | undefined =>
    value === undefined ? undefined : check(value, path);
  return Object.assign(optionalCheck, { optional: true as const });
}

export function arrayOf<T>(check: Check<T>): Check<readonly T[]> {
  return (value, path) => {
    if (!Array.isArray(value)) fail(path, "an array", value);
    value.forEach((item, index) => check(item, `${path}[${index}]`));
    return value as T[];
  };
}

/** Returns a check for a plain object whose every value passes `check`. */
export function recordOf<T>(check: Check<T>): Check<Readonly<Record<string, T>>> {
  return (value, path) => {
    const record = plainObject(value, path);
    for (const [key, item] of Object.entries(record)) check(item, `${path}.${key}`);
    return record as Record<string, T>;
  };
}

/** Returns a check for a plain object with the fields of `shape`; other fields pass unchecked. */
export function object<const S extends Shape>(shape: S): Check<ShapeType<S>> {
  const entries = Object.entries(shape);
  return (value, path) => {
    const record = plainObject(value, path);
    for (const [key, check] of entries) check(record[key], `${path}.${key}`);
    return record as ShapeType<S>;
  };
}

/** Asserts that the value is a non-array object and returns it as a record. */
export function plainObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(path, "an object", value);
  }
  return value as Record<string, unknown>;
}

/**
 * Widens a check of some fields to the full type `T`. Use it only where a doc comment says which
 * fields of `T` are left unchecked and why.
 */
export function shallow<T>(check: Check<unknown>): Check<T> {
  return check as Check<T>;
}
