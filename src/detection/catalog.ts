/**
 * The signal catalog: how AI coding tools mark their work.
 *
 * Pure data. One entry per rule, each with the tool it identifies and where the fact comes from.
 * The detector (`detect.ts`) compiles these into lookup tables once; users extend or trim them from
 * the `detection` section of `.github/countersign.yml` (`config.ts`).
 *
 * Principles:
 * - Rules follow how a tool marks its work (its trailer keys, addresses, bot accounts, footers),
 *   never a particular commit.
 * - Bot accounts match by numeric id where known, otherwise by login (with `[bot]`), and a login
 *   rule marked `bot: true` never matches a human account of the same name.
 * - E-mail addresses match exactly (case-insensitively). Vendor *domains* are never enough: people
 *   who work at AI vendors commit from their company addresses.
 * - Trailer rules only ever see real trailers, as git parses them (`trailers.ts`).
 *
 * Main reference: shared/reference/ai-signals.md (late 2026), which cites each vendor's docs.
 */

/** A GitHub account. `login` as GitHub writes it (`claude[bot]`, `Copilot`, `cursoragent`). */
export interface AccountRef {
  readonly login: string;
  readonly id?: number;
  /** Only an app (bot) account may match this login; a user with the same login never does. */
  readonly bot?: boolean;
}

/** Where a person appears: commit author/committer, a `Co-authored-by:` or `Signed-off-by:` trailer, the PR author. */
export type IdentityField = "author" | "committer" | "co-author" | "sign-off" | "pr-author";

/** Matches a person: a commit author/committer, a co-author, a PR author. */
export interface IdentityRule {
  readonly id: string;
  readonly tool: string;
  /** Exact addresses, compared case-insensitively. */
  readonly emails?: readonly string[];
  /** Address suffixes for domains that only a tool commits from (e.g. Replit's agent noreply domain). */
  readonly emailSuffixes?: readonly string[];
  /** GitHub accounts: matched by id, by login, and via `<id>+<login>@users.noreply.github.com`. */
  readonly accounts?: readonly AccountRef[];
  /** Names that only a tool writes (e.g. Aider's ` (aider)` suffix). Anchored patterns only. */
  readonly names?: readonly RegExp[];
  /** Where the rule applies; every field when absent. */
  readonly fields?: readonly IdentityField[];
  readonly source: string;
}

/** Matches a trailer by key (case-insensitive) and, optionally, its value. */
export interface TrailerRule {
  readonly id: string;
  /** The tool; `undefined` means "infer it from the value" (e.g. `Assisted-by: <agent>`). */
  readonly tool?: string;
  readonly keys: readonly string[];
  readonly value?: RegExp;
  readonly source: string;
}

/** Matches a whole line of the commit message (footers tools write outside the trailer block). */
export interface LineRule {
  readonly id: string;
  readonly tool: string;
  readonly pattern: RegExp;
  readonly source: string;
}

/** Matches the subject line, optionally requiring a body line too. */
export interface SubjectRule {
  readonly id: string;
  readonly tool: string;
  readonly subject: RegExp;
  readonly bodyLine?: RegExp;
  readonly source: string;
}

/** Matches text in a pull request body. */
export interface BodyRule {
  readonly id: string;
  readonly tool: string;
  readonly pattern: RegExp;
  readonly source: string;
}

// `Co-authored-by:` and `Signed-off-by:` values are people: the detector checks them against the identity rules.

const AI_SIGNALS = "shared/reference/ai-signals.md";

export const IDENTITY_RULES: readonly IdentityRule[] = [
  // Claude Code writes `Co-Authored-By: <model> <noreply@anthropic.com>`; the model name varies
  // ("Claude", "Claude Opus 4.5", "Claude Opus 5 (1M context)" …), the address does not.
  // Claude Code on the web commits as `Claude <noreply@anthropic.com>`.
  { id: "claude-code/identity", tool: "Claude Code", emails: ["noreply@anthropic.com"], source: "https://docs.anthropic.com/en/docs/claude-code/settings (includeCoAuthoredBy); " + AI_SIGNALS },
  // anthropics/claude-code-action commits as the claude[bot] app (id 209825114); its e-mail may carry
  // the github-actions[bot] id (41898282+claude[bot]@…), so the login matters too.
  { id: "claude-code/bot", tool: "Claude Code", accounts: [{ login: "claude[bot]", id: 209825114, bot: true }, { login: "anthropic-code-agent[bot]", id: 242468646, bot: true }], source: "https://github.com/anthropics/claude-code-action; " + AI_SIGNALS },
  // GitHub Copilot: the coding agent commits as copilot-swe-agent[bot] <198982749+Copilot@…> and opens
  // PRs as the Bot `Copilot` (id 198982749). Review/Autofix suggestions: 175728472+Copilot; Copilot CLI:
  // 223556219+Copilot; VS Code (git.addAICoAuthor): copilot@github.com; Autofix via code quality:
  // 223894421+github-code-quality[bot].
  { id: "copilot/coding-agent", tool: "GitHub Copilot", accounts: [{ login: "Copilot", id: 198982749, bot: true }, { login: "copilot-swe-agent[bot]", bot: true }], source: "https://docs.github.com/en/copilot/concepts/agents/coding-agent; " + AI_SIGNALS },
  { id: "copilot/suggestions", tool: "GitHub Copilot", accounts: [{ login: "Copilot", id: 175728472, bot: true }, { login: "Copilot", id: 223556219, bot: true }, { login: "github-code-quality[bot]", id: 223894421, bot: true }], source: "https://docs.github.com/en/code-security/code-scanning/managing-code-scanning-alerts/responsible-use-autofix-code-scanning; " + AI_SIGNALS },
  { id: "copilot/vscode", tool: "GitHub Copilot", emails: ["copilot@github.com"], source: "https://code.visualstudio.com/docs/copilot (git.addAICoAuthor); " + AI_SIGNALS },
  // OpenAI Codex: opt-in co-author `Codex <noreply@openai.com>`; seen as `Codex <codex@openai.com>`;
  // the cloud connector app chatgpt-codex-connector[bot] (199175422).
  { id: "codex/identity", tool: "OpenAI Codex", emails: ["noreply@openai.com", "codex@openai.com"], accounts: [{ login: "chatgpt-codex-connector[bot]", id: 199175422, bot: true }, { login: "openai-codex[bot]", id: 215057067, bot: true }], source: "https://github.com/openai/codex; " + AI_SIGNALS },
  { id: "jules/bot", tool: "Jules", accounts: [{ login: "google-labs-jules[bot]", id: 161369871, bot: true }], source: "https://jules.google/docs; " + AI_SIGNALS },
  // Gemini Code Assist suggestions and the gemini-cli GitHub Action's app. (gemini-cli-robot, the
  // release automation account, is deliberately absent: it is not an agent edit.)
  { id: "gemini/bot", tool: "Gemini", accounts: [{ login: "gemini-code-assist[bot]", id: 176961590, bot: true }, { login: "gemini-cli[bot]", id: 218312386, bot: true }], source: "https://developers.google.com/gemini-code-assist/docs/review-github-code; " + AI_SIGNALS },
  // Gemini agents that sign off as themselves ("Signed-off-by: Gemini, your friendly neighborhood …").
  { id: "gemini/self-sign-off", tool: "Gemini", names: [/^Gemini(?:,.*)?$/], fields: ["sign-off"], source: AI_SIGNALS + " (seen in real commits)" },
  { id: "devin/bot", tool: "Devin", accounts: [{ login: "devin-ai-integration[bot]", id: 158243242, bot: true }], source: "https://docs.devin.ai; " + AI_SIGNALS },
  // Cursor: the cloud agent commits as `Cursor Agent <cursoragent@cursor.com>` (user cursoragent,
  // 199161495); Bugbot is cursor[bot] (206951365).
  { id: "cursor/agent", tool: "Cursor", emails: ["cursoragent@cursor.com"], accounts: [{ login: "cursoragent", id: 199161495 }, { login: "cursor[bot]", id: 206951365, bot: true }], source: "https://docs.cursor.com/background-agent; " + AI_SIGNALS },
  // Aider: co-author `aider (<model>) <aider@aider.chat>` (also noreply@aider.dev), and with
  // --attribute-author/--attribute-committer the name gets a ` (aider)` suffix.
  { id: "aider/identity", tool: "Aider", emails: ["aider@aider.chat", "noreply@aider.dev"], source: "https://aider.chat/docs/git.html; " + AI_SIGNALS },
  { id: "aider/name-suffix", tool: "Aider", names: [/\s\(aider\)$/i], source: "https://aider.chat/docs/git.html (attribute-author)" },
  { id: "openhands/identity", tool: "OpenHands", emails: ["openhands@all-hands.dev"], accounts: [{ login: "openhands-ai[bot]", bot: true }, { login: "openhands-agent", id: 172082943 }], source: "https://docs.all-hands.dev; " + AI_SIGNALS },
  { id: "amp/identity", tool: "Amp", emails: ["amp@ampcode.com"], source: "https://ampcode.com/manual; " + AI_SIGNALS },
  { id: "factory/bot", tool: "Factory", accounts: [{ login: "factory-droid[bot]", id: 138933559, bot: true }], source: "https://docs.factory.ai; " + AI_SIGNALS },
  { id: "codegen/bot", tool: "Codegen", accounts: [{ login: "codegen-sh[bot]", id: 131295404, bot: true }], source: AI_SIGNALS },
  { id: "opencode/identity", tool: "OpenCode", emails: ["noreply@opencode.ai"], accounts: [{ login: "opencode-agent[bot]", bot: true }], source: "https://opencode.ai/docs; " + AI_SIGNALS },
  // Cline: `Co-Authored-By: Cline <noreply@cline.bot>` and the cloud agent. Cline's staff commit from
  // other @cline.bot addresses: only these exact ones are the agent.
  { id: "cline/identity", tool: "Cline", emails: ["noreply@cline.bot", "bot@cline.bot", "cline@users.noreply.github.com", "cline-cloud-agent@users.noreply.github.com"], accounts: [{ login: "cline-cloud[bot]", id: 276134852, bot: true }], source: "https://docs.cline.bot; " + AI_SIGNALS },
  { id: "replit/identity", tool: "Replit Agent", emails: ["agent@replit.com"], emailSuffixes: ["@users.noreply.replit.com"], source: "https://docs.replit.com/replitai/agent; " + AI_SIGNALS },
  { id: "amazon-q/bot", tool: "Amazon Q", accounts: [{ login: "amazon-q-developer[bot]", id: 208079219, bot: true }, { login: "kiro-agent[bot]", bot: true }, { login: "kiro-agent", id: 244629292 }], source: "https://kiro.dev/docs; " + AI_SIGNALS },
  { id: "sweep/bot", tool: "Sweep", accounts: [{ login: "sweep-ai[bot]", id: 128439645, bot: true }, { login: "sweep-nightly[bot]", id: 131841235, bot: true }, { login: "sweep-canary[bot]", id: 132422995, bot: true }], source: "https://docs.sweep.dev; " + AI_SIGNALS },
  // Agents seen as authors or co-authors in real history beyond the documented list.
  { id: "roo-code/identity", tool: "Roo Code", emails: ["roomote@roocode.com", "roo@roocode.dev"], accounts: [{ login: "roomote[bot]", id: 219738659, bot: true }], source: AI_SIGNALS + " (Roo Code cloud agent, seen in real commits)" },
  { id: "ellipsis/bot", tool: "Ellipsis", accounts: [{ login: "ellipsis-dev[bot]", id: 65095814, bot: true }], source: "https://docs.ellipsis.dev (review suggestions committed from GitHub)" },
  { id: "greptile/bot", tool: "Greptile", accounts: [{ login: "greptile-apps[bot]", id: 165735046, bot: true }], source: "https://docs.greptile.com (review suggestions committed from GitHub)" },
  { id: "mentat/identity", tool: "Mentat", accounts: [{ login: "MentatBot", id: 160964065 }], source: "https://mentat.ai (agent account, seen in real commits)" },
  { id: "sisyphus/identity", tool: "Sisyphus", emails: ["clio-agent@sisyphuslabs.ai"], source: AI_SIGNALS + " (oh-my-opencode, seen in real commits)" },
  { id: "claude-flow/identity", tool: "claude-flow", names: [/^claude-flow$/i], source: AI_SIGNALS + " (seen in real commits)" },
  { id: "qwen-code/identity", tool: "Qwen Code", emails: ["qwen-coder@alibabacloud.com"], source: AI_SIGNALS + " (seen in real commits)" },
  { id: "deepview/identity", tool: "DeepView", accounts: [{ login: "deepview-autofix", id: 276251120 }], source: "seen in real commits (DeepView Autofix agent account)" },
];

export const TRAILER_RULES: readonly TrailerRule[] = [
  { id: "claude-code/session", tool: "Claude Code", keys: ["claude-session"], source: AI_SIGNALS },
  { id: "copilot/agent-logs", tool: "GitHub Copilot", keys: ["agent-logs-url"], source: "https://docs.github.com/en/copilot/concepts/agents/coding-agent; " + AI_SIGNALS },
  { id: "copilot/session", tool: "GitHub Copilot", keys: ["copilot-session"], source: AI_SIGNALS + " (seen in real commits)" },
  { id: "cursor/made-with", tool: "Cursor", keys: ["made-with"], value: /^cursor\b/i, source: "https://docs.cursor.com; " + AI_SIGNALS },
  { id: "amp/thread", tool: "Amp", keys: ["amp-thread-id", "amp-thread"], source: "https://ampcode.com/manual; " + AI_SIGNALS },
  // `Replit-Commit-Author: Deployment` marks a deployment, not an agent edit.
  { id: "replit/commit-author", tool: "Replit Agent", keys: ["replit-commit-author"], value: /^agent\b/i, source: AI_SIGNALS },
  // Standard keys: the Linux kernel's and Fedora's `Assisted-by: AGENT:MODEL`, the ASF's `Generated-by:`,
  // and keys whose name says the co-author is an AI. The tool is read from the value.
  { id: "standard/assisted-by", keys: ["assisted-by"], source: "https://docs.kernel.org/process/coding-assistants.html; Fedora AI-assisted contributions policy" },
  { id: "standard/generated-by", keys: ["generated-by"], source: "https://www.apache.org/legal/generative-tooling.html" },
  { id: "standard/ai-co-author", keys: ["ai-co-authored-by", "co-authored-by-ai", "ai-session", "ai-model"], source: AI_SIGNALS },
];

export const LINE_RULES: readonly LineRule[] = [
  // Claude Code's footer: older link claude.ai/code, later claude.com/claude-code; some builds omit the link.
  { id: "claude-code/footer", tool: "Claude Code", pattern: /^\s*🤖 Generated with \[?Claude Code\]?(?:\(https:\/\/(?:claude\.ai\/code|claude\.com\/claude-code|www\.anthropic\.com\/claude-code)[^)]*\))?\s*$/u, source: "https://docs.anthropic.com/en/docs/claude-code/settings; " + AI_SIGNALS },
  { id: "claude-code/web-footer", tool: "Claude Code", pattern: /^\s*_?Generated by \[Claude Code\]\(https:\/\/claude\.ai\/code\/session_[^)]*\)_?\s*$/u, source: AI_SIGNALS },
  { id: "devin/footer", tool: "Devin", pattern: /^\s*(?:🤖 )?Generated with \[Devin\]\(https:\/\/devin\.ai\/?\)\s*$/u, source: AI_SIGNALS },
  { id: "devin/run-link", tool: "Devin", pattern: /^\s*Link to Devin run: https:\/\/app\.devin\.ai\/sessions\/\S+\s*$/u, source: AI_SIGNALS },
  { id: "opencode/footer", tool: "OpenCode", pattern: /^\s*🤖 Generated with \[opencode\]\(https:\/\/opencode\.ai\/?\)\s*$/u, source: AI_SIGNALS },
  { id: "cline/footer", tool: "Cline", pattern: /^\s*🤖 Generated with \[Cline\]\(https:\/\/(?:docs\.)?cline\.bot\/?[^)]*\)\s*$/u, source: AI_SIGNALS },
  { id: "sisyphus/footer", tool: "Sisyphus", pattern: /^\s*Ultraworked with \[Sisyphus\]\(https:\/\/github\.com\/code-yeongyu\/[^)]*\)\s*$/u, source: AI_SIGNALS + " (oh-my-opencode)" },
];

export const SUBJECT_RULES: readonly SubjectRule[] = [
  // Early Aider: subject `aider: …` and the chat transcript in the body.
  { id: "aider/subject", tool: "Aider", subject: /^aider: /, bodyLine: /^# (?:Aider chat conversation|Context):\s*$/, source: "https://aider.chat/HISTORY.html; " + AI_SIGNALS },
];

export const PR_BODY_RULES: readonly BodyRule[] = [
  { id: "copilot/pr-body", tool: "GitHub Copilot", pattern: /<!-- START COPILOT (?:CODING AGENT SUFFIX|ORIGINAL PROMPT) -->/, source: AI_SIGNALS },
  { id: "claude-code/pr-body", tool: "Claude Code", pattern: /^\s*(?:🤖 Generated with \[Claude Code\]\(https:\/\/(?:claude\.ai\/code|claude\.com\/claude-code)|_?Generated by \[Claude Code\]\(https:\/\/claude\.ai\/code\/session_)/mu, source: AI_SIGNALS },
  { id: "codex/pr-body", tool: "OpenAI Codex", pattern: /\[Codex Task\]\(https:\/\/chatgpt\.com\/codex\/tasks\/task_/, source: AI_SIGNALS },
  { id: "jules/pr-body", tool: "Jules", pattern: /PR created automatically by Jules for task \[[^\]]*\]\(https:\/\/jules\.google\.com\/task\//, source: AI_SIGNALS },
  { id: "devin/pr-body", tool: "Devin", pattern: /^\s*Link to Devin run: https:\/\/app\.devin\.ai\/sessions\//m, source: AI_SIGNALS },
  { id: "cursor/pr-body", tool: "Cursor", pattern: /<!-- CURSOR_AGENT_PR_BODY_BEGIN -->/, source: AI_SIGNALS },
  { id: "sweep/pr-body", tool: "Sweep", pattern: /🎉 Latest improvements to Sweep:/u, source: AI_SIGNALS },
  { id: "amazon-q/pr-body", tool: "Amazon Q", pattern: /https:\/\/app\.kiro\.dev\/session\//, source: AI_SIGNALS },
  { id: "amp/pr-body", tool: "Amp", pattern: /https:\/\/ampcode\.com\/threads\/T-/, source: AI_SIGNALS },
];

/**
 * Tool names as they appear in free text (`Assisted-by: gemini-cli`, `AI-Co-Authored-By: Cursor (…)`),
 * most specific first. A value naming none of them is attributed to "Other".
 */
export const TOOL_NAMES: readonly (readonly [RegExp, string])[] = [
  [/\bclaude[ -]?code\b|\bclaude\b/i, "Claude Code"],
  [/\bcopilot\b/i, "GitHub Copilot"],
  [/\bcodex\b/i, "OpenAI Codex"],
  [/\bjules\b/i, "Jules"],
  [/\bgemini\b/i, "Gemini"],
  [/\bdevin\b/i, "Devin"],
  [/\bcursor\b/i, "Cursor"],
  [/\baider\b/i, "Aider"],
  [/\bopenhands\b/i, "OpenHands"],
  [/\bamp\b/i, "Amp"],
  [/\bfactory\b|\bdroid\b/i, "Factory"],
  [/\bcodegen\b/i, "Codegen"],
  [/\bopencode\b/i, "OpenCode"],
  [/\bcline\b/i, "Cline"],
  [/\breplit\b/i, "Replit Agent"],
  [/\bamazon q\b|\bkiro\b/i, "Amazon Q"],
  [/\bsweep\b/i, "Sweep"],
];

/** Addresses that are GitHub itself or automation, never a person (e.g. the web-flow committer). */
export const NON_HUMAN_EMAILS: readonly string[] = ["noreply@github.com", "support@github.com", "action@github.com"];
