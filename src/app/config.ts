/**
 * Reading `.github/countersign.yml` the way Probot's `context.config` would: the repository's file
 * on the default branch, else the owner's `.github` repository's. Both arrive with each evaluation's
 * first GraphQL query; only a file with `_extends` is read through Probot, which follows it.
 */
import { parse as parseYaml } from "yaml";
import { parseConfig, type Config } from "../config/schema.js";

export interface ConfigFiles {
  readonly repo: string | null;
  readonly org: string | null;
}

/** The parsed document (null when there is none). Throws on invalid YAML. */
export async function readConfigFiles(files: ConfigFiles, loadConfig: () => Promise<unknown>): Promise<{ value: unknown; requests: number }> {
  const text = files.repo ?? files.org;
  if (text === null) return { value: null, requests: 0 };
  const doc: unknown = parseYaml(text, { logLevel: "error" }) ?? {};
  if (doc !== null && typeof doc === "object" && !Array.isArray(doc) && "_extends" in doc) return { value: await loadConfig(), requests: 1 };
  return { value: doc, requests: 0 };
}

/** The validated config, or a one-line description of what is wrong with it. */
export async function configFrom(files: ConfigFiles, loadConfig: () => Promise<unknown>): Promise<Config | string> {
  let raw: unknown;
  try {
    raw = (await readConfigFiles(files, loadConfig)).value;
  } catch (error) {
    return `the file could not be read as YAML: ${error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error)}`;
  }
  const parsed = parseConfig(raw);
  return parsed.ok ? parsed.value : parsed.problems.map((p) => `${p.path}: ${p.message}`).join("; ");
}
