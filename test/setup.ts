import nock from "nock";

// No test may touch the network: every HTTP request must be answered by a nock scope.
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
