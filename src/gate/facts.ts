/**
 * The facts countersign decides on: plain data, gathered from GitHub by `src/github/gather.ts` and
 * written by hand in tests. Nothing here knows about Octokit.
 */
import type { Permission } from "../config/schema.js";
import type { ChangedFile } from "../risk/classify.js";

/** A GitHub account as GraphQL reports it (`login` without `[bot]` for Bots, as GraphQL gives it). */
export interface Account {
  readonly login: string;
  readonly type: "User" | "Bot" | "Organization" | "Mannequin" | "EnterpriseUserAccount" | string;
  readonly id?: number | null;
}

/** A git identity and the GitHub account GitHub linked it to (by e-mail), if any. */
export interface GitActor {
  readonly name: string;
  readonly email: string;
  readonly user: { readonly login: string; readonly id?: number | null } | null;
}

export interface CommitFact {
  readonly sha: string;
  readonly message: string;
  readonly author: GitActor;
  readonly committer: GitActor;
  /** GitHub's own list: the git author first, then the co-authors it parsed, each with the account it resolved. */
  readonly authors: readonly GitActor[];
}

export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";

export interface ReviewFact {
  readonly id: number;
  /** `null` when the account was deleted ("ghost"). */
  readonly author: Account | null;
  readonly state: ReviewState;
  /** The commit the review was made on (`null` if GitHub no longer knows it). */
  readonly commitSha: string | null;
  readonly submittedAt: string | null;
  /** GitHub's `authorCanPushToRepository`: the reviewer has write access or more. */
  readonly authorCanPush: boolean;
}

/** A version of a comment from its edit history. */
export interface CommentEdit {
  readonly editor: string | null;
  readonly editedAt: string;
  /** The text GitHub keeps for that version (`UserContentEdit.diff`). */
  readonly text: string | null;
}

/**
 * A PR conversation comment, or the body of a review: where `/countersign` commands live.
 */
export interface CommentFact {
  readonly kind: "comment" | "review";
  /** REST id (issue comment id, or review id). */
  readonly id: number;
  /** GraphQL node id (for reactions). */
  readonly nodeId: string;
  readonly url: string;
  readonly author: Account | null;
  readonly body: string;
  readonly createdAt: string;
  /** Set when the comment has ever been edited (GitHub's `lastEditedAt`, not `updatedAt`). */
  readonly lastEditedAt: string | null;
  /** Who last edited it. */
  readonly editor: string | null;
  /** The edit history; gathered only for edited comments. */
  readonly edits: readonly CommentEdit[];
  /** For a review body: the commit the review was made on. */
  readonly reviewCommitSha: string | null;
  /** Written by this app (its status comment). */
  readonly byThisApp: boolean;
  /** This app already reacted to it (👍 or 😕). */
  readonly reacted: boolean;
}

/** The app's own check run on the head commit, as last published (for write-only-when-changed). */
export interface ExistingCheckRun {
  readonly id: number;
  /** GitHub's GraphQL node id (null when read where GitHub did not give it). */
  readonly nodeId: string | null;
  /** When GitHub started the run: the moment this app first saw the head commit. */
  readonly startedAt: string | null;
  readonly status: string;
  readonly conclusion: string | null;
  readonly title: string | null;
  readonly summary: string | null;
  readonly text: string | null;
}

export interface PullRequestFacts {
  readonly owner: string;
  readonly repo: string;
  readonly number: number;
  readonly url: string;
  readonly state: "OPEN" | "CLOSED" | "MERGED" | string;
  readonly merged: boolean;
  /** Who merged it (for bypass reports). */
  readonly mergedBy: string | null;
  readonly author: Account | null;
  readonly body: string;
  readonly labels: readonly string[];
  readonly baseRef: string;
  readonly headRef: string;
  readonly headSha: string;
  /** Oldest first, as GitHub lists them. */
  readonly commits: readonly CommitFact[];
  readonly reviews: readonly ReviewFact[];
  /** Who assigned whom on the PR (for agents, the assigner is a requester). */
  readonly assignments: readonly { readonly actor: string | null; readonly assignee: string | null }[];
  /** Repository permission of users (lower-case logins), looked up for commenters and other levels than `write`. */
  readonly permissions: ReadonlyMap<string, Permission | "none">;
  /** Team memberships looked up (lower-case login → the `org/team` slugs they belong to, among those asked). */
  readonly teamMembership: ReadonlyMap<string, readonly string[]>;
  /** The app's check run for `headSha` and the configured name, if it has published one. */
  readonly existingCheckRun: ExistingCheckRun | null;
  /** Conversation comments and non-empty review bodies, oldest first. */
  readonly comments: readonly CommentFact[];
  /** How many files GitHub says the pull request changes. */
  readonly changedFiles: number;
  /** The changed files (read only for AI-authored pull requests; null when not read). */
  readonly files: readonly ChangedFile[] | null;
}

