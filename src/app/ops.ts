/**
 * Operating countersign: health and readiness endpoints, Prometheus metrics, and the hooks graceful
 * shutdown needs. Served by Probot's own HTTP server (`addHandler`), next to the webhook endpoint.
 *
 *   GET /healthz   200 while the process is up
 *   GET /readyz    200 when GitHub answers this app (checked at most every 30 s), else 503
 *   GET /metrics   Prometheus text format
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { KeyedQueue } from "./queue.js";

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: "countersign_" });

export const metrics = {
  evaluations: new Counter({ name: "countersign_evaluations_total", help: "Evaluations of pull requests, by outcome (not-ai, waiting, satisfied, overridden, cannot-decide, disabled).", labelNames: ["outcome"], registers: [registry] }),
  aiPullRequests: new Counter({ name: "countersign_ai_pull_requests_total", help: "Evaluations of AI-authored pull requests, by tool and risk tier.", labelNames: ["tool", "tier"], registers: [registry] }),
  githubRequests: new Counter({ name: "countersign_github_requests_total", help: "Requests countersign made to GitHub's API.", registers: [registry] }),
  rateLimitRemaining: new Gauge({ name: "countersign_github_rate_limit_remaining", help: "The x-ratelimit-remaining GitHub last reported to this process.", registers: [registry] }),
  queueDepth: new Gauge({ name: "countersign_queue_depth", help: "Pull requests with an evaluation running or queued in this process.", registers: [registry] }),
  evaluationSeconds: new Histogram({ name: "countersign_evaluation_seconds", help: "Time from an evaluation's start to its last write.", buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry] }),
  bypasses: new Counter({ name: "countersign_bypasses_total", help: "Changes that went around the gate, by kind (merge, push, force-push, branch-deleted).", labelNames: ["kind"], registers: [registry] }),
};

/** Queues whose depth /metrics reports and shutdown waits for (one per loaded app), and what each app closes after. */
const queues = new Set<KeyedQueue>();
const closers = new Set<{ close(): Promise<void> }>();
export function registerQueue(queue: KeyedQueue, closeAfter?: { close(): Promise<void> }): void {
  queues.add(queue);
  if (closeAfter) closers.add(closeAfter);
}

/** Resolves once every evaluation running or queued in this process has finished (then closes the Redis connection). */
export async function drain(): Promise<void> {
  await Promise.all([...queues].map((q) => q.idle()));
  await Promise.all([...closers].map((c) => c.close()));
}

export interface ReadinessProbe {
  /** Resolves when GitHub answers the app (e.g. `GET /app` with the app's JWT); rejects otherwise. */
  (): Promise<void>;
}

const send = (res: ServerResponse, status: number, type: string, body: string) => {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" }).end(body);
};

/** The HTTP handler for the ops endpoints; returns false for any other path. */
export function opsHandler(probe: ReadinessProbe, now: () => number = Date.now, redis?: ReadinessProbe): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  let last: { at: number; ok: boolean; error?: string } | undefined;
  return async (req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    if (path === "/healthz") {
      send(res, 200, "application/json", JSON.stringify({ status: "ok" }));
      return true;
    }
    if (path === "/readyz") {
      // A success is trusted for 30 s; a failure is checked again after 2 s, so recovery shows at once.
      if (!last || now() - last.at > (last.ok ? 30_000 : 2_000)) {
        try {
          await probe();
          last = { at: now(), ok: true };
        } catch (error) {
          last = { at: now(), ok: false, error: error instanceof Error ? error.message : String(error) };
        }
      }
      // Redis (when replicas share it) is asked every time: a ping is cheap, and an outage must show at once.
      let redisState: string | undefined;
      if (redis) {
        try {
          await redis();
          redisState = "ok";
        } catch (error) {
          redisState = error instanceof Error ? error.message : String(error);
        }
      }
      const ready = last.ok && (redisState === undefined || redisState === "ok");
      send(res, ready ? 200 : 503, "application/json", JSON.stringify({ status: ready ? "ready" : "not ready", github: last.ok ? "ok" : (last.error ?? "unreachable"), ...(redisState === undefined ? {} : { redis: redisState }) }));
      return true;
    }
    if (path === "/metrics") {
      metrics.queueDepth.set([...queues].reduce((n, q) => n + q.size, 0));
      send(res, 200, registry.contentType, await registry.metrics());
      return true;
    }
    return false;
  };
}
