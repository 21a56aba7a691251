/** Reads the `detection` section of a countersign.yml for the CLI, with errors a user can act on. */
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { parseDetectionConfig, type DetectionConfig } from "../detection/config.js";
import { UsageError } from "./io.js";

export async function loadDetectionConfigFile(path: string): Promise<DetectionConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`--config ${path}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory, not a file" : "cannot be read"}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    const first = (error instanceof Error ? error.message : String(error)).split("\n")[0];
    throw new UsageError(`--config ${path}: not valid YAML: ${first}`);
  }
  if (doc !== null && doc !== undefined && (typeof doc !== "object" || Array.isArray(doc))) {
    throw new UsageError(`--config ${path}: expected a mapping with a 'detection' key at the top level`);
  }
  const section = doc === null || doc === undefined ? undefined : (doc as Record<string, unknown>).detection;
  const result = parseDetectionConfig(section ?? {});
  if (!result.ok) {
    throw new UsageError(`--config ${path}: ${result.problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
  }
  return result.value;
}
