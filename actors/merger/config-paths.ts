// The paths of a project that are Zuul configuration: `zuul.yaml`, `.zuul.yaml`, and YAML files under
// `zuul.d/` and `.zuul.d/` (recursively), the files the configuration loader reads.

const CONFIG_FILES = new Set(["zuul.yaml", ".zuul.yaml"]);
const CONFIG_DIRECTORIES = ["zuul.d", ".zuul.d"];

/** True when a change to `path` changes the project's configuration. */
export function isConfigPath(path: string): boolean {
  if (CONFIG_FILES.has(path)) return true;
  return CONFIG_DIRECTORIES.some((directory) => path.startsWith(`${directory}/`));
}

/** True for the configuration files whose contents the merger returns. */
export function isConfigFile(path: string): boolean {
  if (CONFIG_FILES.has(path)) return true;
  const inDirectory = CONFIG_DIRECTORIES.some((directory) => path.startsWith(`${directory}/`));
  return inDirectory && (path.endsWith(".yaml") || path.endsWith(".yml"));
}

/** True for directories that can contain configuration files. */
export function isConfigDirectory(directory: string): boolean {
  return CONFIG_DIRECTORIES.some((root) => directory === root || directory.startsWith(`${root}/`));
}
