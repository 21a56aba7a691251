/**
 * The GraphQL documents countersign sends. Validated against GitHub's schema in
 * test/github/queries.test.ts (@octokit/graphql-schema).
 *
 * One query gathers everything for an evaluation; when a pull request has more than 100 commits or
 * reviews, the page queries fetch the rest of just that connection (GitHub's `first` is capped at
 * 100, and the PullRequest.commits connection, unlike REST, is not capped at 250 commits).
 */

const ACTOR = `name email user { login databaseId }`;

const COMMIT_FIELDS = `
  commit {
    oid
    message
    author { ${ACTOR} }
    committer { ${ACTOR} }
    authors(first: 20) { nodes { ${ACTOR} } }
  }`;

const REVIEW_FIELDS = `
  databaseId
  state
  submittedAt
  authorCanPushToRepository
  author { __typename login ... on User { databaseId } ... on Bot { databaseId } }
  commit { oid }`;

export const PULL_REQUEST_QUERY = /* GraphQL */ `
  query countersignPullRequest($owner: String!, $repo: String!, $number: Int!, $appId: Int!, $checkName: String!, $label: String!) {
    repository(owner: $owner, name: $repo) {
      label(name: $label) { name }
      pullRequest(number: $number) {
        number
        url
        state
        body
        baseRefName
        headRefName
        headRefOid
        author { __typename login ... on User { databaseId } ... on Bot { databaseId } }
        labels(first: 100) { nodes { name } }
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
                  checkRuns(first: 10, filterBy: { checkName: $checkName }) {
                    nodes { databaseId status conclusion title summary text }
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
      }
    }
  }
`;

export const COMMITS_PAGE_QUERY = /* GraphQL */ `
  query countersignCommitsPage($owner: String!, $repo: String!, $number: Int!, $after: String!) {
    repository(owner: $owner, name: $repo) {
      pullRequest(number: $number) {
        commits(first: 100, after: $after) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes { ${COMMIT_FIELDS} }
        }
      }
    }
  }
`;

export const REVIEWS_PAGE_QUERY = /* GraphQL */ `
  query countersignReviewsPage($owner: String!, $repo: String!, $number: Int!, $after: String!) {
    repository(owner: $owner, name: $repo) {
      pullRequest(number: $number) {
        reviews(first: 100, after: $after) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes { ${REVIEW_FIELDS} }
        }
      }
    }
  }
`;

export const ALL_QUERIES = { PULL_REQUEST_QUERY, COMMITS_PAGE_QUERY, REVIEWS_PAGE_QUERY } as const;
