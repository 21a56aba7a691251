/**
 * Risk for the gate: the classifier's verdict on the files GitHub listed, made conservative when
 * GitHub could not list them all (it stops at 3,000): what countersign cannot see counts as critical.
 */
import { classify, type ChangedFile, type RiskVerdict } from "../risk/classify.js";
import type { RiskConfig } from "../risk/config.js";

export const UNLISTED_FILES_RULE = "critical/unlisted-files";

export function riskOf(files: readonly ChangedFile[], changedFiles: number, config: RiskConfig): RiskVerdict {
  const verdict = classify(files, config);
  if (changedFiles <= files.length) return verdict;
  const unseen = changedFiles - files.length;
  const tier = config.tiers.critical;
  const reason = `changes ${changedFiles} files, and GitHub lists only ${files.length}: the ${unseen} unlisted files may touch anything`;
  return {
    level: "critical",
    findings: [{ rule: UNLISTED_FILES_RULE, level: "critical", reason, files: [], moreFiles: unseen }, ...verdict.findings],
    requirement: { approvals: tier.approvals, teams: [...tier.teams], ...(tier.mode === undefined ? {} : { mode: tier.mode }) },
    explanation: `critical: ${reason}`,
  };
}
