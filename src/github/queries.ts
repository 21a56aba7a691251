/**
 * The GraphQL documents countersign sends. Validated against GitHub's schema in
 * test/github/queries.test.ts (@octokit/graphql-schema).
 *
 * One query gathers everything for an evaluation — the config file from the default branch (and the
 * organisation's `.github` defaults) included; when a pull request has more than 100 commits, reviews
 * or comments, the page queries fetch the rest of just that connection (GitHub's `first` is capped at
 * 100, and the PullRequest.commits connection, unlike REST, is not capped at 250 commits).
 */

const ACTOR = `name email user { login databaseId }`;

/** `.github/countersign.yml` on the default branch; read from the repository and from the owner's `.github` repository (aliased `orgDefaults`). */
const CONFIG_FILE = `configFile: object(expression: "HEAD:.github/countersign.yml") { ... on Blob { text } }`;

const COMMIT_FIELDS = `
  commit {
    oid
    message
    author { ${ACTOR} }
    committer { ${ACTOR} }
    authors(first: 20) { nodes { ${ACTOR} } }
  }`;

const AUTHOR = `author { __typename login ... on User { databaseId } ... on Bot { databaseId } }`;

const REVIEW_FIELDS = `
  id
  databaseId
  url
  state
  body
  createdAt
  submittedAt
  lastEditedAt
  editor { login }
  viewerDidAuthor
  reactionGroups { content viewerHasReacted }
  authorCanPushToRepository
  ${AUTHOR}
  commit { oid }`;

const COMMENT_FIELDS = `
  id
  databaseId
  url
  body
  createdAt
  lastEditedAt
  editor { login }
  viewerDidAuthor
  reactionGroups { content viewerHasReacted }
  ${AUTHOR}`;

export const PULL_REQUEST_QUERY = /* GraphQL */ `
  query countersignPullRequest($owner: String!, $repo: String!, $number: Int!, $appId: Int!) {
    orgDefaults: repository(owner: $owner, name: ".github") {
      ${CONFIG_FILE}
    }
    repository(owner: $owner, name: $repo) {
      id
      ${CONFIG_FILE}
      countersignLabels: labels(first: 50, query: "countersign") { nodes { id name } }
      pullRequest(number: $number) {
        id
        number
        url
        state
        merged
        mergedAt
        mergedBy { login }
        body
        baseRefName
        baseRefOid
        headRefName
        headRefOid
        changedFiles
        ${AUTHOR}
        labels(first: 100) { nodes { id name } }
        timelineItems(itemTypes: [ASSIGNED_EVENT], first: 50) {
          nodes {
            ... on AssignedEvent {
              actor { login }
              assignee { __typename ... on User { login } ... on Bot { login } ... on Mannequin { login } }
            }
          }
        }
        headCommit: commits(last: 1) {
          nodes {
            commit {
              oid
              checkSuites(first: 10, filterBy: { appId: $appId }) {
                nodes {
                  checkRuns(first: 20) {
                    nodes { id databaseId name status conclusion title summary text startedAt }
                  }
                }
              }
            }
          }
        }
        commits(first: 100) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes { ${COMMIT_FIELDS} }
        }
        reviews(first: 100) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes { ${REVIEW_FIELDS} }
        }
        comments(first: 100) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes { ${COMMENT_FIELDS} }
        }
      }
    }
  }
`;

/** The next page of one connection of the pull request (commits, reviews or comments). */
function pageQuery(operation: string, connection: string, fields: string): string {
  return /* GraphQL */ `
  query ${operation}($owner: String!, $repo: String!, $number: Int!, $after: String!) {
    repository(owner: $owner, name: $repo) {
      pullRequest(number: $number) {
        ${connection}(first: 100, after: $after) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes { ${fields} }
        }
      }
    }
  }
`;
}

export const COMMITS_PAGE_QUERY = pageQuery("countersignCommitsPage", "commits", COMMIT_FIELDS);
export const REVIEWS_PAGE_QUERY = pageQuery("countersignReviewsPage", "reviews", REVIEW_FIELDS);
export const COMMENTS_PAGE_QUERY = pageQuery("countersignCommentsPage", "comments", COMMENT_FIELDS);

/** The edit history of edited comments and reviews (only asked for when some were edited). */
export const EDIT_HISTORY_QUERY = /* GraphQL */ `
  query countersignEditHistory($ids: [ID!]!) {
    nodes(ids: $ids) {
      __typename
      id
      ... on IssueComment { userContentEdits(first: 50) { nodes { editedAt editor { login } diff } } }
      ... on PullRequestReview { userContentEdits(first: 50) { nodes { editedAt editor { login } diff } } }
    }
  }
`;

/**
 * A push: the config, and for each pushed commit (aliased c0, c1, …) its message and identities and
 * the pull requests GitHub associates with it, with this app's check runs on each PR's head.
 */
export function pushQuery(count: number): string {
  const commits = Array.from({ length: count }, (_, i) => `
      c${i}: object(oid: $c${i}) {
        ... on Commit {
          oid
          message
          author { ${ACTOR} }
          committer { ${ACTOR} }
          associatedPullRequests(first: 5) {
            nodes {
              number
              merged
              headRefOid
              commits(last: 1) {
                nodes {
                  commit {
                    oid
                    checkSuites(first: 10, filterBy: { appId: $appId }) {
                      nodes { checkRuns(first: 20) { nodes { name conclusion title } } }
                    }
                  }
                }
              }
            }
          }
        }
      }`).join("");
  const params = Array.from({ length: count }, (_, i) => `, $c${i}: GitObjectID!`).join("");
  return /* GraphQL */ `
  query countersignPush($owner: String!, $repo: String!${count > 0 ? ", $appId: Int!" : ""}${params}) {
    orgDefaults: repository(owner: $owner, name: ".github") {
      ${CONFIG_FILE}
    }
    repository(owner: $owner, name: $repo) {
      ${CONFIG_FILE}${commits}
    }
  }
`;
}

/** The merge queue of a branch: each entry's merge-group commit and pull request, with this app's check runs on the PR's head. */
export const MERGE_QUEUE_QUERY = /* GraphQL */ `
  query countersignMergeQueue($owner: String!, $repo: String!, $branch: String!, $appId: Int!) {
    orgDefaults: repository(owner: $owner, name: ".github") {
      ${CONFIG_FILE}
    }
    repository(owner: $owner, name: $repo) {
      ${CONFIG_FILE}
      mergeQueue(branch: $branch) {
        entries(first: 100) {
          nodes {
            position
            headCommit { oid }
            pullRequest {
              number
              headRefOid
              commits(last: 1) {
                nodes {
                  commit {
                    oid
                    checkSuites(first: 10, filterBy: { appId: $appId }) {
                      nodes { checkRuns(first: 20) { nodes { name conclusion title } } }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
`;

export const ALL_QUERIES = { PULL_REQUEST_QUERY, COMMITS_PAGE_QUERY, REVIEWS_PAGE_QUERY, COMMENTS_PAGE_QUERY, EDIT_HISTORY_QUERY, PUSH_QUERY_0: pushQuery(0), PUSH_QUERY_3: pushQuery(3), MERGE_QUEUE_QUERY } as const;
