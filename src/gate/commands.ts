/**
 * Approvals by comment: which `/countersign` commands count, which do not and why, revocations,
 * tampering, and the reaction each command should get. Pure.
 *
 * Which commit did a comment approve? GitHub does not record when a commit was pushed, and a
 * comment's time alone cannot say which head the reviewer looked at. countersign therefore accepts:
 *
 * - `/countersign <sha>`: exactly that commit; it counts only while `<sha>` is the head.
 * - `/countersign` in a review body: the commit the review was made on (GitHub records it).
 * - `/countersign` in a conversation comment: the head at the time countersign first saw it — the
 *   `startedAt` of countersign's own check run on the head, kept by GitHub. A comment written before
 *   that moment is stale: it may have been about an earlier commit. (If countersign never saw the
 *   head, no unpinned comment counts for it.) The status comment always shows the pinned command.
 */
import type { Detector } from "../detection/detect.js";
import { parseCommands, type Command } from "../commands/parse.js";
import type { Account, CommentFact } from "./facts.js";
import { short } from "./operators.js";

export type Reaction = "+1" | "confused";

export interface CommandOutcome {
  readonly comment: CommentFact;
  /** `null` when the comment held conflicting commands. */
  readonly command: Command | null;
  /** `approval`/`override`: counted or not (see `reason`); `revoke`/`status` are always honoured. */
  readonly effect: "approval" | "override" | "revoke" | "status" | "conflict";
  /** Why an approval does not count (undefined when it counts). */
  readonly reason?: string;
  /** The reaction to give, if countersign has not reacted yet and should (never for bots, AI or itself). */
  readonly react: Reaction | null;
  /** From a bot or an AI agent: never counted, never answered at length. */
  readonly quiet: boolean;
}

export interface TimedApproval {
  readonly login: string;
  readonly at: string;
  readonly source: "review" | "comment";
  readonly url?: string;
}

export interface Tamper {
  readonly author: string;
  readonly editor: string;
  readonly at: string;
  readonly url: string;
}

/** A break-glass override that holds for the current head. */
export interface Override {
  readonly login: string;
  readonly reason: string;
  readonly at: string;
  readonly url: string;
  /** The comment, so an after-the-fact issue can be opened once (when it is first answered). */
  readonly firstSeen: boolean;
}

export interface CommandFindings {
  readonly outcomes: readonly CommandOutcome[];
  /** Valid overrides for the head, oldest first. */
  readonly overrides: readonly Override[];
  readonly approvals: readonly TimedApproval[];
  readonly revocations: readonly { readonly login: string; readonly at: string }[];
  readonly tampering: readonly Tamper[];
}

/** Why an account may not countersign, or undefined. Shared by reviews and comments. */
export type Ineligible = { readonly code: "ai" | "bot" | "operator" | "no-permission"; readonly detail: string };
export type Eligibility = (account: Account, source: "review" | "comment", canPush: boolean) => Ineligible | undefined;

export interface CommandContext {
  readonly words: readonly string[];
  readonly headSha: string;
  /** When countersign first saw the head commit (its check run's startedAt), if it has. */
  readonly headSeenAt: string | null;
  readonly detector: Detector;
  readonly eligibility: Eligibility;
  readonly override: OverrideRules;
}

/** Who may override, and how (from the `override` config), with the facts to decide it. */
export interface OverrideRules {
  readonly enabled: boolean;
  readonly minReasonLength: number;
  readonly allowOperator: boolean;
  readonly teams: readonly string[];
  readonly isOperator: (login: string) => boolean;
  readonly isAdmin: (login: string) => boolean | undefined;
  /** The configured override teams this person belongs to (undefined: not looked up). */
  readonly teamsOf: (login: string) => readonly string[] | undefined;
}

const sameLogin = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function isAgent(account: Account, detector: Detector): boolean {
  return account.type !== "User" || /\[bot\]$/i.test(account.login) || detector.identity({ login: account.login, id: account.id ?? null, type: account.type }, "pr-author") !== undefined;
}

/** Does this text hold a command (or conflicting ones)? Used on old versions of edited comments. */
function hasCommand(text: string | null, words: readonly string[]): boolean {
  return text !== null && parseCommands(text, words).kind !== "none";
}

export function evaluateCommands(comments: readonly CommentFact[], ctx: CommandContext): CommandFindings {
  const outcomes: CommandOutcome[] = [];
  const overrides: Override[] = [];
  const approvals: TimedApproval[] = [];
  const revocations: { login: string; at: string }[] = [];
  const tampering: Tamper[] = [];

  for (const comment of comments) {
    if (comment.byThisApp) continue;
    const author = comment.author;
    const parsed = parseCommands(comment.body, ctx.words);

    // Tampering: someone other than the author edited a comment that holds, or held, a command.
    if (author && (comment.lastEditedAt !== null || comment.edits.length > 0)) {
      const editors = [...comment.edits.map((e) => ({ editor: e.editor, at: e.editedAt })), ...(comment.editor ? [{ editor: comment.editor, at: comment.lastEditedAt ?? comment.createdAt }] : [])];
      const foreign = editors.filter((e) => e.editor !== null && !sameLogin(e.editor, author.login));
      const everHeldCommand = parsed.kind !== "none" || comment.edits.some((e) => hasCommand(e.text, ctx.words));
      const last = foreign.sort((a, b) => a.at.localeCompare(b.at))[foreign.length - 1];
      if (last && everHeldCommand) tampering.push({ author: author.login, editor: last.editor ?? "someone", at: last.at, url: comment.url });
    }

    if (parsed.kind === "none") continue;
    const quiet = !author || isAgent(author, ctx.detector);
    const react = (r: Reaction): Reaction | null => (quiet || comment.reacted ? null : r);

    if (parsed.kind === "conflict") {
      outcomes.push({ comment, command: null, effect: "conflict", reason: `conflicting commands in one comment (${parsed.lines.join(", ")}): nothing was done`, react: react("confused"), quiet });
      continue;
    }
    const command = parsed.command;
    const at = comment.createdAt;
    if (command.kind === "status") {
      outcomes.push({ comment, command, effect: "status", react: react("+1"), quiet });
      continue;
    }
    if (command.kind === "revoke") {
      if (author) revocations.push({ login: author.login, at });
      outcomes.push({ comment, command, effect: "revoke", react: react("+1"), quiet });
      continue;
    }

    /** A bare command approves (or overrides) the head only if written after countersign saw it. */
    const staleFor = (what: string): string | undefined =>
      ctx.headSeenAt === null || at <= ctx.headSeenAt ? `it was written before countersign saw the head ${short(ctx.headSha)}, so it may be about an earlier commit: ${what}` : undefined;

    if (command.kind === "override") {
      const o = ctx.override;
      const reason = ((): string | undefined => {
        if (!author) return "the author's account was deleted";
        if (!o.enabled) return "overrides are disabled for this repository (override.enabled: false)";
        if (comment.lastEditedAt !== null) return "the comment was edited, and edited overrides never count: post a new one";
        if (command.reason.length < o.minReasonLength) return `an override needs a reason of at least ${o.minReasonLength} characters: /${ctx.words[0] ?? "countersign"} override <what happened and why>`;
        const admin = o.isAdmin(author.login);
        const teams = o.teamsOf(author.login) ?? [];
        if (admin !== true && teams.length === 0) {
          return `only repository admins${o.teams.length > 0 ? ` and members of ${o.teams.map((t) => `@${t}`).join(", ")}` : ""} can override`;
        }
        if (o.isOperator(author.login) && !o.allowOperator) return "an operator cannot override their own change (override.allow_operator: false)";
        if (comment.kind === "review" ? comment.reviewCommitSha !== ctx.headSha : staleFor("a later push ends an override; override again if still needed") !== undefined) {
          return `it was written before the head ${short(ctx.headSha)}: an override holds for the one head it was given on`;
        }
        return undefined;
      })();
      if (reason === undefined && author) overrides.push({ login: author.login, reason: command.reason, at, url: comment.url, firstSeen: !comment.reacted });
      outcomes.push({ comment, command, effect: "override", ...(reason === undefined ? {} : { reason }), react: react(reason === undefined ? "+1" : "confused"), quiet });
      continue;
    }

    // An approval: the same rules as a review, plus where it was written and when.
    const reason = ((): string | undefined => {
      if (!author) return "the author's account was deleted";
      if (comment.lastEditedAt !== null) return "the comment was edited, and edited approvals never count: post a new comment";
      const ineligible = ctx.eligibility(author, "comment", false);
      if (ineligible) return ineligible.detail;
      if (command.sha !== undefined && !ctx.headSha.startsWith(command.sha)) {
        return `it approves ${command.sha.slice(0, 7)}, but the head is ${short(ctx.headSha)}: approve the head with /countersign ${short(ctx.headSha)}`;
      }
      if (comment.kind === "review") {
        if (comment.reviewCommitSha !== ctx.headSha) return `it was written in a review of ${comment.reviewCommitSha ? short(comment.reviewCommitSha) : "an earlier commit"}, but the head is now ${short(ctx.headSha)}`;
      } else if (command.sha === undefined) {
        return staleFor(`comment /${ctx.words[0] ?? "countersign"} ${short(ctx.headSha)}`);
      }
      return undefined;
    })();
    if (reason === undefined && author) approvals.push({ login: author.login, at, source: "comment", url: comment.url });
    outcomes.push({ comment, command, effect: "approval", ...(reason === undefined ? {} : { reason }), react: react(reason === undefined ? "+1" : "confused"), quiet });
  }
  return { outcomes, overrides, approvals, revocations, tampering };
}
