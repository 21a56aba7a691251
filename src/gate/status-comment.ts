/**
 * The one status comment countersign keeps on an AI-authored pull request, edited in place: what was
 * detected, who may countersign, who has, what is missing, and the exact command to type, pinned to
 * the head commit. Pure and deterministic, so an unchanged verdict means an unchanged comment (and
 * no write). People are named in code spans (`@alice`), which GitHub does not turn into mentions:
 * updating the comment never pings anyone.
 */
import type { Verdict } from "./evaluate.js";
import { short } from "./operators.js";
import { code, list, missingSentence, riskSentence } from "./render.js";

/** The hidden marker that identifies countersign's status comment among the app's own comments. */
export const STATUS_MARKER = "<!-- countersign:status -->";

const who = (login: string) => `\`@${login}\``;

export interface StatusOptions {
  /** The first configured command word (default `countersign`). */
  readonly word: string;
  readonly minPermission: string;
}

function headline(v: Verdict): string {
  const mode = v.mode === "observe" ? " (observe mode: not enforced)" : "";
  switch (v.outcome) {
    case "satisfied":
      return `✅ **countersigned** by ${list(v.counted.map((a) => who(a.login)))}${mode}`;
    case "overridden":
      return `🚨 **Overridden** by ${who(v.override?.login ?? "?")} (break-glass)`;
    case "waiting":
      return `⏳ **${missingSentence(v).replace(/@([A-Za-z0-9][A-Za-z0-9-]*(?:\/[A-Za-z0-9._-]+)?)/g, "`@$1`")}**${mode}`;
    case "cannot-decide":
      return `⛔ **countersign cannot decide** — the check fails closed${mode}`;
    case "not-ai":
      return "✅ **No AI-authored changes detected** any more: no countersign is needed.";
    case "disabled":
      return "countersign is disabled for this repository (`enabled: false`).";
  }
}

/** The status comment's body for this verdict. */
export function renderStatusComment(v: Verdict, options: StatusOptions): string {
  const lines: string[] = [STATUS_MARKER, headline(v), ""];
  if (v.outcome === "not-ai" || v.outcome === "disabled") {
    lines.push(`<sub>countersign · head ${code(short(v.headSha))}</sub>`);
    return lines.join("\n");
  }
  const aiCommits = v.commits.filter((c) => c.detection.ai).length;
  const where = [aiCommits > 0 ? `${aiCommits} of ${v.commits.length} commit${v.commits.length === 1 ? "" : "s"}` : "", v.pr.evidence.length > 0 ? "the pull request itself" : ""].filter(Boolean).join(" and ");
  lines.push(`**Detected:** ${v.pr.tools.join(", ")} in ${where} (details in the \`countersign\` check).`);
  const risk = riskSentence(v);
  if (risk) lines.push(`**Risk:** ${risk.replace(/@([A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+)/g, "`@$1`")}.`);
  if (v.operators.length > 0) lines.push(`**Operators** (accountable, so they cannot countersign): ${list(v.operators.map((o) => who(o.login)))}.`);
  lines.push(`**Who may countersign:** anyone with ${options.minPermission} access or more who is not an operator; bots and AI agents never count. Needed: ${v.required}.`);
  lines.push(`**Countersigned by:** ${v.counted.length === 0 ? "nobody yet" : list(v.counted.map((a) => `${who(a.login)} (${a.source})`))}.`);
  const notCounted = v.notCounted.filter((n) => n.reason !== "bot" && n.reason !== "ai");
  if (notCounted.length > 0) {
    lines.push("", "**Not counted:**");
    for (const n of notCounted) lines.push(`- ${who(n.login)}: ${n.detail.replace(/@([A-Za-z0-9-]+)/g, "`@$1`")}.`);
  }
  const conflicts = v.commands.filter((c) => c.effect === "conflict" && c.comment.author && !c.quiet);
  for (const c of conflicts) lines.push(`- ${who(c.comment.author?.login ?? "?")}: ${c.reason ?? "conflicting commands"}.`);
  if (v.outcome === "overridden" && v.override) {
    lines.push("", `**Override:** ${who(v.override.login)} at ${v.override.at}, reason: ${code(v.override.reason, 300)} ([comment](${v.override.url})). It holds for the head ${code(short(v.headSha))} only; a later push puts the gate back on.`);
  }
  if (v.outcome === "cannot-decide") {
    lines.push("", "**Why countersign cannot decide:**");
    for (const p of v.problems) lines.push(`- ${p.replace(/@([A-Za-z0-9-]+)/g, "`@$1`")}`);
  }
  if (v.outcome !== "satisfied" && v.outcome !== "overridden") {
    lines.push(
      "",
      `**To countersign** the head commit ${code(short(v.headSha))}: approve the pull request (Files changed → Review changes → Approve), or comment`,
      "",
      "```",
      `/${options.word} ${short(v.headSha)}`,
      "```",
    );
  }
  lines.push("", `<sub>\`/${options.word} revoke\` withdraws your approval · \`/${options.word} status\` refreshes this comment · head ${code(short(v.headSha))}</sub>`);
  return lines.join("\n");
}
