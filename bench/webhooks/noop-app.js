// A Probot app that does nothing: the framework's ceiling for `npm run bench:webhooks`.
//
// It subscribes to the same events as countersign (src/app/index.ts), so Probot does the same work per
// webhook — signature check, JSON parsing, an installation-authenticated context — and then returns.
// Run exactly like countersign: `probot run bench/webhooks/noop-app.js`.
const EVENTS = [
  "pull_request.opened",
  "pull_request.reopened",
  "pull_request.synchronize",
  "pull_request.edited",
  "pull_request.ready_for_review",
  "pull_request.labeled",
  "pull_request.unlabeled",
  "pull_request.closed",
  "pull_request_review.submitted",
  "pull_request_review.edited",
  "pull_request_review.dismissed",
  "check_run.rerequested",
  "check_suite.requested",
  "check_suite.rerequested",
  "issue_comment.created",
  "issue_comment.edited",
  "issue_comment.deleted",
  "push",
  "merge_group.checks_requested",
];

export default (app) => {
  app.on(EVENTS, async () => {});
};
