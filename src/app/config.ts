/**
 * Reading `.github/countersign.yml` the way Probot's `context.config` would: the repository's file
 * on the default branch, else the owner's `.github` repository's. Both arrive with each evaluation's
 * first GraphQL query; only a file with `_extends` is read through Probot, which follows it.
 *
 * A file's text is parsed and validated once (`ConfigCache`, bounded: 100 files): the same text gives the same
 * frozen `Config` object, so what is compiled per config (the detector, the risk globs) is compiled
 * once per config too — parsing YAML and compiling those were a third of an evaluation's own CPU.
 */
import { parse as parseYaml } from "yaml";
import { createDetector, type Detector } from "../detection/detect.js";
import { checkNameOf, parseConfig, type Config } from "../config/schema.js";
import type { ParseResult } from "../detection/config.js";

export interface ConfigFiles {
  readonly repo: string | null;
  readonly org: string | null;
}

/** A config file, read: the document, and its validation. */
export interface ReadConfig {
  /** The parsed document (null when there is none). */
  readonly value: unknown;
  readonly parsed: ParseResult<Config>;
  /** The check name to report under, even when the file is invalid. */
  readonly checkName: string;
  /** GitHub requests made (an `_extends` file is read through Probot). */
  readonly requests: number;
}

/** Config files read before, by text (least recently used first out). */
export class ConfigCache {
  private readonly entries = new Map<string, Omit<ReadConfig, "requests">>();
  constructor(private readonly max = 100) {}

  get(text: string): Omit<ReadConfig, "requests"> | undefined {
    const entry = this.entries.get(text);
    if (entry) {
      this.entries.delete(text);
      this.entries.set(text, entry);
    }
    return entry;
  }

  set(text: string, entry: Omit<ReadConfig, "requests">): void {
    this.entries.set(text, entry);
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.max) break;
      this.entries.delete(key);
    }
  }
}

const SHARED = new ConfigCache();
/** The key for "no config file" (no file's text is this). */
const NONE = "\0none";

/** Freezes a parsed document or config all the way down: cached values are shared by evaluations. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function entryOf(value: unknown): Omit<ReadConfig, "requests"> {
  return deepFreeze({ value, parsed: parseConfig(value), checkName: checkNameOf(value) });
}

/** The config files, parsed and validated. Throws on invalid YAML, and when an `_extends` file cannot be read. */
export async function readConfigFiles(files: ConfigFiles, loadConfig: () => Promise<unknown>, cache: ConfigCache = SHARED): Promise<ReadConfig> {
  const text = files.repo ?? files.org;
  const cached = cache.get(text ?? NONE);
  if (cached) return { ...cached, requests: 0 };
  const doc: unknown = text === null ? null : (parseYaml(text, { logLevel: "error" }) ?? {});
  // `_extends` names another file, which may change without this one changing: read it every time.
  if (doc !== null && typeof doc === "object" && !Array.isArray(doc) && "_extends" in doc) return { ...entryOf(await loadConfig()), requests: 1 };
  const entry = entryOf(doc);
  cache.set(text ?? NONE, entry);
  return { ...entry, requests: 0 };
}

/** The validated config, or a one-line description of what is wrong with it. */
export async function configFrom(files: ConfigFiles, loadConfig: () => Promise<unknown>): Promise<Config | string> {
  let read: ReadConfig;
  try {
    read = await readConfigFiles(files, loadConfig);
  } catch (error) {
    return `the file could not be read as YAML: ${error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error)}`;
  }
  return read.parsed.ok ? read.parsed.value : read.parsed.problems.map((p) => `${p.path}: ${p.message}`).join("; ");
}

const detectors = new WeakMap<Config, Detector>();
/** The detector for a config, compiled once per config object. */
export function detectorFor(config: Config): Detector {
  let detector = detectors.get(config);
  if (!detector) {
    detector = createDetector(config.detection);
    detectors.set(config, detector);
  }
  return detector;
}
