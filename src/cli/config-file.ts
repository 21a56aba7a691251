/** Reads the `detection` and `risk` sections of a countersign.yml for the CLI, with errors a user can act on. */
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { parseDetectionConfig, type DetectionConfig } from "../detection/config.js";
import { parseRiskConfig, type RiskConfig } from "../risk/config.js";
import { UsageError } from "./io.js";

export async function loadScanConfigFile(path: string): Promise<{ detection: DetectionConfig; risk: RiskConfig }> {
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
  const sections = (doc ?? {}) as Record<string, unknown>;
  const detection = parseDetectionConfig(sections.detection ?? {});
  const risk = parseRiskConfig(sections.risk ?? {});
  const problems = [...(detection.ok ? [] : detection.problems), ...(risk.ok ? [] : risk.problems)];
  if (!detection.ok || !risk.ok) throw new UsageError(`--config ${path}: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
  return { detection: detection.value, risk: risk.value };
}
