// Connections as configuration uses them: a map of connection name to driver, which decides the
// trigger, requirement and reporter schema of each pipeline section. The `timer` and `zuul`
// connections always exist.

/** Connection name to driver name, such as `{gerrit: "gerrit", "github.com": "github"}`. */
export type ConnectionDrivers = Readonly<Record<string, string>>;

/** Drivers whose changes, events and reporters look like Gerrit's. */
const GERRIT_LIKE = new Set(["gerrit", "local"]);

/** Drivers that produce trigger events. */
const TRIGGER_DRIVERS = new Set([
  "gerrit",
  "local",
  "github",
  "gitlab",
  "gitea",
  "pagure",
  "git",
  "timer",
  "zuul",
]);

/** Drivers that can report. */
const REPORTER_DRIVERS = new Set([
  "gerrit",
  "local",
  "github",
  "gitlab",
  "gitea",
  "pagure",
  "smtp",
  "mqtt",
  "sql",
  "elasticsearch",
]);

/** Drivers that have changes a pipeline can require things of. */
const SOURCE_DRIVERS = new Set(["gerrit", "local", "github", "gitlab", "gitea", "pagure", "git"]);

export const KNOWN_DRIVERS = [
  ...new Set([...TRIGGER_DRIVERS, ...REPORTER_DRIVERS, ...SOURCE_DRIVERS]),
].sort();

/** Adds the implicit `timer` and `zuul` connections unless the map names them already. */
export function withImplicitConnections(drivers: ConnectionDrivers): ConnectionDrivers {
  return { timer: "timer", zuul: "zuul", ...drivers };
}

export function isGerritLike(driver: string): boolean {
  return GERRIT_LIKE.has(driver);
}

export function hasTrigger(driver: string): boolean {
  return TRIGGER_DRIVERS.has(driver);
}

export function hasReporter(driver: string): boolean {
  return REPORTER_DRIVERS.has(driver);
}

export function hasSource(driver: string): boolean {
  return SOURCE_DRIVERS.has(driver);
}
