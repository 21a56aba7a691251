/**
 * Operators: every human accountable for an AI-authored change, who therefore cannot countersign it.
 *
 * - the PR author, if a human;
 * - the human authors, committers and co-authors of the AI-authored commits (mapped to GitHub
 *   accounts through what GitHub resolved from their e-mail addresses);
 * - for a PR opened by an agent, the humans it names as requesters: "started by @user" (Jules),
 *   "Requested by: @user" (Devin), and whoever assigned the agent on the PR.
 *
 * An AI-authored commit naming a human GitHub cannot resolve to an account is reported as
 * `unresolved`: that person could approve their own change, so the gate fails closed on it unless
 * the config relaxes it. Pure.
 */
import type { CommitDetection, Detector, PullRequestDetection } from "../detection/detect.js";
import type { Account, CommitFact, PullRequestFacts } from "./facts.js";

export interface Operator {
  readonly login: string;
  /** Why this person is accountable, e.g. "opened the pull request", "co-author of 1a2b3c4". */
  readonly reasons: readonly string[];
}

export interface UnresolvedIdentity {
  readonly sha: string;
  readonly name: string;
  readonly email: string;
  readonly role: "author" | "committer" | "co-author";
}

export interface OperatorFindings {
  readonly operators: readonly Operator[];
  readonly unresolved: readonly UnresolvedIdentity[];
}

const LOGIN = "[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}";
const REQUESTER_PATTERNS: readonly RegExp[] = [
  new RegExp(`\\bstarted by @(${LOGIN})`, "gi"),
  new RegExp(`\\bRequested by:?[^\\n@]{0,80}@(${LOGIN})`, "gi"),
];

export const short = (sha: string): string => sha.slice(0, 7);
export const sameLogin = (a: string, b: string): boolean => normalizeLogin(a) === normalizeLogin(b);
export function normalizeLogin(login: string): string {
  return login.trim().toLowerCase().replace(/\[bot\]$/, "");
}

/** The account as the detector sees it (GraphQL drops `[bot]` from Bot logins). */
export function asPerson(account: Account): { login: string; id: number | null; type: string } {
  return { login: account.login, id: account.id ?? null, type: account.type };
}

/** True when the account is an AI agent (by the catalog) or any bot. */
export function isAgentOrBot(account: Account, detector: Detector): boolean {
  return account.type === "Bot" || /\[bot\]$/i.test(account.login) || detector.identity(asPerson(account), "pr-author") !== undefined;
}

export function findOperators(
  facts: PullRequestFacts,
  commits: readonly { readonly fact: CommitFact; readonly detection: CommitDetection }[],
  pr: PullRequestDetection,
  detector: Detector,
): OperatorFindings {
  const operators = new Map<string, { login: string; reasons: string[] }>();
  const add = (login: string, reason: string) => {
    const key = normalizeLogin(login);
    const entry = operators.get(key) ?? { login, reasons: [] };
    if (!entry.reasons.includes(reason)) entry.reasons.push(reason);
    operators.set(key, entry);
  };
  const unresolved: UnresolvedIdentity[] = [];

  if (pr.ai && facts.author) {
    if (!isAgentOrBot(facts.author, detector)) {
      add(facts.author.login, "opened the pull request");
    } else {
      // An agent opened it: the humans who asked it to are accountable.
      for (const pattern of REQUESTER_PATTERNS) {
        for (const m of facts.body.matchAll(pattern)) if (m[1]) add(m[1], `named by @${facts.author.login} as its requester`);
      }
      for (const a of facts.assignments) {
        if (a.actor && a.assignee && sameLogin(a.assignee, facts.author.login) && !sameLogin(a.actor, facts.author.login)) {
          add(a.actor, `assigned @${facts.author.login} to the pull request`);
        }
      }
    }
  }

  // Per person and role, the AI-authored commits: "authored AI-authored commits 1a2b3c4, 5d6e7f8".
  const roles = new Map<string, { login: string; byRole: Map<string, string[]> }>();
  for (const { fact, detection } of commits) {
    if (!detection.ai) continue;
    for (const human of detection.humans) {
      for (const role of human.roles) {
        const login = resolve(fact, human.email, human.name, role);
        if (login) {
          const entry = roles.get(normalizeLogin(login)) ?? { login, byRole: new Map<string, string[]>() };
          const what = role === "author" ? "authored" : role === "committer" ? "committed" : "co-authored";
          entry.byRole.set(what, [...(entry.byRole.get(what) ?? []), short(fact.sha)]);
          roles.set(normalizeLogin(login), entry);
        } else if (!unresolved.some((u) => u.sha === fact.sha && u.email.toLowerCase() === human.email.toLowerCase() && u.role === role)) {
          unresolved.push({ sha: fact.sha, name: human.name, email: human.email, role });
        }
      }
    }
  }
  for (const { login, byRole } of roles.values()) {
    for (const [what, shas] of byRole) {
      const shown = shas.slice(0, 3).join(", ") + (shas.length > 3 ? ` and ${shas.length - 3} more` : "");
      add(login, `${what} AI-authored commit${shas.length === 1 ? "" : "s"} ${shown}`);
    }
  }
  return { operators: [...operators.values()], unresolved };
}

/** The GitHub login GitHub linked this identity to, for its role in the commit. */
function resolve(fact: CommitFact, email: string, name: string, role: "author" | "committer" | "co-author"): string | undefined {
  const sameEmail = (e: string) => e.trim().toLowerCase() === email.trim().toLowerCase();
  if (role === "author" && sameEmail(fact.author.email)) return fact.author.user?.login;
  if (role === "committer" && sameEmail(fact.committer.email)) return fact.committer.user?.login;
  const match = fact.authors.find((a) => (email !== "" ? sameEmail(a.email) : a.name === name));
  return match?.user?.login;
}
