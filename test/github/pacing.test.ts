/**
 * Pacing by GitHub's documented secondary rate limits: what waits, for how long, and that no window
 * ever holds more than GitHub allows.
 */
import fc from "fast-check";
import { BudgetExhaustedError, BUDGETS, chargesOf, costOf, MAX_IN_FLIGHT, MemoryBuckets, Pacer, rateLimitWait, SECONDARY_FALLBACK_MS, type Clock } from "../../src/github/pacing.js";

/** A clock that only moves when told; `sleep` resolves when the time comes. */
class FakeClock implements Clock {
  t = 1_000_000;
  private sleepers: { until: number; wake: () => void }[] = [];
  now = () => this.t;
  sleep = (ms: number) => new Promise<void>((wake) => this.sleepers.push({ until: this.t + ms, wake }));
  advance(ms: number): void {
    this.t += ms;
    const due = this.sleepers.filter((s) => s.until <= this.t);
    this.sleepers = this.sleepers.filter((s) => s.until > this.t);
    for (const s of due) s.wake();
  }
}

describe("what a request costs", () => {
  it("reads cost one REST or GraphQL point and no content", () => {
    expect(costOf("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/files")).toEqual({ rest: 1, route: "GET /repos/{owner}/{repo}/pulls/{pull_number}/files" });
    expect(costOf("POST", "/graphql", "query countersignPullRequest($owner: String!) { viewer { login } }")).toEqual({ graphql: 1 });
    // GitHub Enterprise Server addresses GraphQL at /api/graphql.
    expect(costOf("POST", "http://ghe.example/api/graphql", "{ viewer { login } }")).toEqual({ graphql: 1 });
  });

  it("writes cost five points of their route's budget; comments, issues and reactions also spend the content budgets", () => {
    expect(costOf("POST", "/repos/{owner}/{repo}/check-runs")).toEqual({ rest: 5, route: "POST /repos/{owner}/{repo}/check-runs" });
    expect(costOf("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}")).toEqual({ rest: 5, route: "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}" });
    expect(costOf("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments")).toEqual({ rest: 5, route: "POST /repos/{owner}/{repo}/issues/{issue_number}/comments", content: 1, contentHourly: 1 });
    expect(costOf("POST", "/repos/{owner}/{repo}/issues")).toEqual(expect.objectContaining({ rest: 5, content: 1, contentHourly: 1 }));
    // GitHub Enterprise Server's /api/v3 prefix is not part of the route.
    expect(costOf("POST", "/api/v3/repos/acme/infra/issues/7/comments")).toEqual({ rest: 5, route: "POST /repos/acme/infra/issues/7/comments", content: 1, contentHourly: 1 });
    const reactions = "mutation countersignReactions($s0: ID!, $s1: ID!) {\n  r0: addReaction(input: { subjectId: $s0, content: THUMBS_UP }) { clientMutationId }\n  r1: addReaction(input: { subjectId: $s1, content: CONFUSED }) { clientMutationId }\n}";
    expect(costOf("POST", "/graphql", reactions)).toEqual({ graphql: 5, content: 2, contentHourly: 2 });
    // The publishing mutation: one request, 5 points; only its new comment is content.
    const publish = "mutation countersignPublish($check: CreateCheckRunInput!, $addLabels: AddLabelsToLabelableInput!, $status: AddCommentInput!) {\n  check: createCheckRun(input: $check) { clientMutationId }\n  addLabels: addLabelsToLabelable(input: $addLabels) { clientMutationId }\n  status: addComment(input: $status) { clientMutationId }\n}";
    expect(costOf("POST", "/graphql", publish)).toEqual({ graphql: 5, content: 1, contentHourly: 1 });
    expect(costOf("POST", "/graphql", publish.replace("addComment", "updateIssueComment").replace("AddCommentInput", "UpdateIssueCommentInput"))).toEqual({ graphql: 5 });
  });

  it("a mutation is a mutation even after comments", () => {
    expect(costOf("POST", "/graphql", "# add the reactions\n\nmutation { a: addReaction(input: {}) { clientMutationId } }")).toEqual({ graphql: 5, content: 1, contentHourly: 1 });
  });

  it("installation token requests are not paced", () => {
    expect(costOf("POST", "/app/installations/{installation_id}/access_tokens")).toEqual({});
  });
});

describe("the pacer", () => {
  it("lets a burst of up to half a budget through at once, then paces at the budget's rate", async () => {
    const clock = new FakeClock();
    const buckets = new MemoryBuckets(clock);
    const comment = chargesOf(costOf("POST", "/repos/o/r/issues/1/comments"));
    const waits: number[] = [];
    for (let i = 0; i < 45; i++) waits.push(await buckets.reserve("77", comment, 0));
    expect(waits.slice(0, 40)).toEqual(Array(40).fill(0));
    // 80 a minute: 40 at once, then one every 1.5 s.
    expect(waits.slice(40)).toEqual([1500, 3000, 4500, 6000, 7500]);
  });

  it("each REST route has its own budget (GitHub counts per endpoint)", async () => {
    const clock = new FakeClock();
    const buckets = new MemoryBuckets(clock);
    const checkRun = chargesOf(costOf("POST", "/repos/{owner}/{repo}/check-runs"));
    // 900 points a minute: 90 writes at once, then one every 666.7 ms.
    for (let i = 0; i < 90; i++) expect(await buckets.reserve("1", checkRun, 0)).toBe(0);
    expect(await buckets.reserve("1", checkRun, 0)).toBeCloseTo(666.67, 1);
    expect(await buckets.reserve("1", chargesOf(costOf("POST", "/repos/{owner}/{repo}/issues/{issue_number}/labels")), 0)).toBe(0);
  });

  it("installations have their own budgets", async () => {
    const clock = new FakeClock();
    const buckets = new MemoryBuckets(clock);
    const comment = chargesOf(costOf("POST", "/repos/o/r/issues/1/comments"));
    for (let i = 0; i < 40; i++) await buckets.reserve("1", comment, 0);
    expect(await buckets.reserve("1", comment, 0)).toBeGreaterThan(0);
    expect(await buckets.reserve("2", comment, 0)).toBe(0);
  });

  it("reads never wait behind a throttled write budget", async () => {
    const clock = new FakeClock();
    const buckets = new MemoryBuckets(clock);
    for (let i = 0; i < 60; i++) await buckets.reserve("1", chargesOf(costOf("POST", "/repos/o/r/issues/1/comments")), 0);
    expect(await buckets.reserve("1", chargesOf(costOf("POST", "/graphql", "{ viewer { login } }")), 0)).toBe(0);
  });

  it("never lets any window of a budget hold more than GitHub's limit", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ gap: fc.integer({ min: 0, max: 3000 }), kind: fc.constantFrom("comment", "write", "read", "mutation") }), { minLength: 1, maxLength: 400 }), async (steps) => {
        const clock = new FakeClock();
        const buckets = new MemoryBuckets(clock);
        const starts: { at: number; cost: ReturnType<typeof costOf> }[] = [];
        for (const s of steps) {
          clock.t += s.gap;
          const cost =
            s.kind === "comment" ? costOf("POST", "/repos/o/r/issues/1/comments") : s.kind === "write" ? costOf("PATCH", "/repos/o/r/check-runs/1") : s.kind === "read" ? costOf("GET", "/repos/o/r/pulls/1/files") : costOf("POST", "/graphql", "mutation { a: addReaction(input: {}) { clientMutationId } }");
          const wait = await buckets.reserve("1", chargesOf(cost), 0);
          starts.push({ at: clock.t + wait, cost });
        }
        // Every bucket (a budget, or a REST route's budget) on its own.
        const spentBy = new Map<string, { at: number; points: number; windowMs: number; limit: number }[]>();
        for (const st of starts) {
          for (const c of chargesOf(st.cost)) {
            const name = (c.budget.startsWith("rest ") ? "rest" : c.budget) as keyof typeof BUDGETS;
            const list = spentBy.get(c.budget) ?? [];
            list.push({ at: st.at, points: c.points, windowMs: BUDGETS[name].windowMs, limit: BUDGETS[name].points });
            spentBy.set(c.budget, list);
          }
        }
        for (const spent of spentBy.values()) {
          for (const first of spent) {
            const inWindow = spent.filter((x) => x.at >= first.at && x.at < first.at + first.windowMs).reduce((n, x) => n + x.points, 0);
            expect(inWindow).toBeLessThanOrEqual(first.limit);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it("holds every request of an installation while GitHub has said to wait", async () => {
    const clock = new FakeClock();
    const pacer = new Pacer(new MemoryBuckets(clock), clock);
    await pacer.hold("1", clock.t + 30_000);
    let started = false;
    const pending = pacer.acquire("1", costOf("GET", "/x")).then((release) => {
      started = true;
      release();
    });
    await Promise.resolve();
    clock.advance(29_999);
    await Promise.resolve();
    expect(started).toBe(false);
    clock.advance(1);
    await pending;
    expect(started).toBe(true);
    // Another installation was never held.
    const other = await pacer.acquire("2", costOf("GET", "/x"));
    other();
  });

  it("a request already waiting for its budget also waits out a 'retry after' GitHub sent meanwhile", async () => {
    const clock = new FakeClock();
    const pacer = new Pacer(new MemoryBuckets(clock), clock);
    for (let i = 0; i < 40; i++) (await pacer.acquire("1", costOf("POST", "/repos/o/r/issues/1/comments")))();
    let sent = false;
    const next = pacer.acquire("1", costOf("POST", "/repos/o/r/issues/1/comments"), 30_000).then((release) => {
      sent = true;
      release();
    });
    await Promise.resolve();
    await pacer.hold("1", clock.t + 5000);
    clock.advance(1500); // its budget slot
    await new Promise((r) => setImmediate(r));
    expect(sent).toBe(false);
    clock.advance(3500); // GitHub's wait
    await next;
    expect(sent).toBe(true);
  });

  it("a wait longer than the caller allows is not sat out: it says how long it would be", async () => {
    const clock = new FakeClock();
    const pacer = new Pacer(new MemoryBuckets(clock), clock);
    await pacer.hold("1", clock.t + 3_600_000);
    await expect(pacer.acquire("1", costOf("GET", "/x"), 30_000)).rejects.toEqual(new BudgetExhaustedError(3_600_000));
    await expect(pacer.acquire("1", costOf("GET", "/x"), 30_000)).rejects.toThrow("GitHub's rate limit: try again in 3600 s");
  });

  it(`keeps at most ${MAX_IN_FLIGHT} requests of an installation in flight`, async () => {
    const pacer = new Pacer(new MemoryBuckets(new FakeClock()), new FakeClock());
    const releases = await Promise.all(Array.from({ length: MAX_IN_FLIGHT }, () => pacer.acquire("1", costOf("GET", "/x"))));
    let eleventh = false;
    const next = pacer.acquire("1", costOf("GET", "/x")).then((release) => {
      eleventh = true;
      return release;
    });
    await new Promise((r) => setImmediate(r));
    expect(eleventh).toBe(false);
    releases[0]?.();
    const release = await next;
    expect(eleventh).toBe(true);
    release();
    for (const r of releases.slice(1)) r();
  });
});

describe("GitHub's rate-limit answers", () => {
  const now = 1_700_000_000_000;
  it("a secondary limit waits retry-after seconds", () => {
    expect(rateLimitWait({ status: 403, headers: { "retry-after": "42" }, message: "You have exceeded a secondary rate limit" }, now)).toBe(42_000);
    expect(rateLimitWait({ status: 429, headers: { "retry-after": 3 }, message: "" }, now)).toBe(3_000);
  });

  it("a secondary limit without retry-after waits a minute, as GitHub's docs say", () => {
    expect(rateLimitWait({ status: 403, headers: {}, message: "You have exceeded a secondary rate limit. Please wait a few minutes." }, now)).toBe(SECONDARY_FALLBACK_MS);
  });

  it("an exhausted primary limit waits until x-ratelimit-reset", () => {
    expect(rateLimitWait({ status: 403, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(now / 1000 + 90) }, message: "API rate limit exceeded" }, now)).toBe(90_000);
    expect(rateLimitWait({ status: 200, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(now / 1000 + 5) }, message: "", graphqlRateLimited: true }, now)).toBe(5_000);
  });

  it("a 403 for lack of permission is not a rate limit", () => {
    expect(rateLimitWait({ status: 403, headers: { "x-ratelimit-remaining": "4999" }, message: "Resource not accessible by integration" }, now)).toBeUndefined();
    expect(rateLimitWait({ status: 502, headers: {}, message: "Bad Gateway" }, now)).toBeUndefined();
  });
});

describe("requests made inside requests", () => {
  it("an installation-token request never waits for a slot (it is made while other requests hold theirs)", async () => {
    const pacer = new Pacer(new MemoryBuckets(new FakeClock()), new FakeClock());
    const held = await Promise.all(Array.from({ length: MAX_IN_FLIGHT }, () => pacer.acquire("1", costOf("GET", "/x"))));
    const token = await pacer.acquire("1", costOf("POST", "/app/installations/{installation_id}/access_tokens"));
    token();
    for (const release of held) release();
  });
});
