/**
 * GitHub on loopback: a real `node:http` server answering, from a `GitHubWorld`, what a GitHub
 * Enterprise Server at `http://127.0.0.1:<port>` would — REST under `/api/v3`, GraphQL at
 * `/api/graphql` (how Octokit addresses GHE when Probot runs with `GHE_HOST` and `GHE_PROTOCOL=http`) —
 * plus the GitHub App token route: `POST /api/v3/app/installations/{id}/access_tokens`, which
 * requires a JWT signed with the app's private key (RS256, `iss` = the app id) and hands out an
 * installation token that every other request must then carry.
 *
 * Faults can be injected per request (aimed at one pull request, one GraphQL operation or one route):
 * 5xx answers, GitHub's secondary and primary rate limits, slow answers, dropped connections (before
 * or after the world applied the request). Everything is logged with its timing; anything a real
 * GitHub would not have accepted lands in `problems`.
 *
 * No jest, no nock: the benchmark imports this file too.
 */
import { createPublicKey, randomBytes, verify, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { mutationOf, operationOf, type GitHubWorld } from "./github-world.js";

export type FaultKind =
  /** Answer with this HTTP status (e.g. 502, 503); the world is not touched. */
  | { kind: "status"; status: number }
  /** 403 with `retry-after` and GitHub's secondary-rate-limit message. */
  | { kind: "secondary-rate-limit"; retryAfterSeconds?: number }
  /** 403 with `x-ratelimit-remaining: 0` and `x-ratelimit-reset` this many seconds ahead. */
  | { kind: "primary-rate-limit"; resetSeconds?: number }
  /** Answer normally, after this long. */
  | { kind: "slow"; ms: number }
  /** Destroy the connection without answering; `after: true` applies the request to the world first (the answer is lost). */
  | { kind: "drop"; after?: boolean }
  /** Never answer (until the server closes). */
  | { kind: "hang" };

export interface FaultMatch {
  /** Only requests about this pull request. */
  pr?: number;
  /** Only this GraphQL operation (e.g. `countersignPullRequest`). */
  operation?: string;
  method?: string;
  /** Only requests whose GitHub-relative path matches (REST; `/graphql` for GraphQL; the token route is `/app/installations/:id/access_tokens`). */
  path?: RegExp;
}

export type Fault = FaultKind & { match: FaultMatch; times: number };

export interface FaultHandle {
  readonly fault: Fault;
  /** How many requests it has hit so far. */
  hits: number;
}

export interface LoggedRequest {
  /** When it arrived (ms since the epoch). */
  at: number;
  method: string;
  /** GitHub-relative path (`/graphql` for GraphQL). */
  path: string;
  operation?: string;
  /** A GraphQL mutation (a write), and the mutation fields it holds. */
  mutation?: true;
  fields?: string[];
  pr?: number;
  status: number | "dropped" | "hung";
  fault?: FaultKind["kind"];
  /** Time to answer (ms). */
  ms: number;
}

export interface HttpDoubleOptions {
  /** The app's public key (PEM or KeyObject): JWTs on the token route are verified with it. */
  publicKey?: string | KeyObject;
  appId?: number;
}

const SECONDARY = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.";
const TOKEN_ROUTE = /^\/app\/installations\/(\d+)\/access_tokens$/;

function base64url(s: string): Buffer {
  return Buffer.from(s.replace(/-/g, "+").replace(/_/g, "/"), "base64");
}

export class GitHubHttpDouble {
  readonly log: LoggedRequest[] = [];
  readonly problems: string[] = [];
  /** Installation tokens handed out, by installation id. */
  readonly tokens = new Map<string, number>();
  private readonly faults: FaultHandle[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly hung = new Set<ServerResponse>();
  private readonly publicKey: KeyObject | undefined;
  private readonly appId: number;
  private server: Server | undefined;
  port = 0;
  /** Connections opened to the double (keep-alive clients reuse theirs). */
  connections = 0;

  constructor(
    readonly world: GitHubWorld,
    options: HttpDoubleOptions = {},
  ) {
    this.publicKey = options.publicKey === undefined ? undefined : typeof options.publicKey === "string" ? createPublicKey(options.publicKey) : options.publicKey;
    this.appId = options.appId ?? world.appId;
  }

  /** `host:port`, as GHE_HOST takes it. */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 60_000;
    server.on("connection", (socket: Socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const res of this.hung) res.destroy();
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Injects a fault for the next `times` requests that match. */
  inject(fault: Fault): FaultHandle {
    const handle = { fault, hits: 0 };
    this.faults.push(handle);
    return handle;
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** GitHub API requests received as an installation (the token route and `GET /app` excluded), optionally only those about one pull request. */
  apiRequests(pr?: number): LoggedRequest[] {
    return this.log.filter((r) => !TOKEN_ROUTE.test(r.path) && r.path !== "/app" && (pr === undefined || r.pr === pr));
  }

  private takeFault(req: { method: string; path: string; operation?: string; pr?: number }): FaultHandle | undefined {
    const handle = this.faults.find(({ fault, hits }) => {
      if (hits >= fault.times) return false;
      const m = fault.match;
      return (m.pr === undefined || m.pr === req.pr) && (m.operation === undefined || m.operation === req.operation) && (m.method === undefined || m.method === req.method) && (m.path === undefined || m.path.test(req.path));
    });
    if (handle) handle.hits++;
    return handle;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    let path: string;
    if (url.pathname === "/api/graphql") path = "/graphql";
    else if (url.pathname.startsWith("/api/v3/")) path = decodeURIComponent(url.pathname.slice("/api/v3".length));
    else {
      this.problems.push(`request outside GitHub Enterprise's API paths: ${method} ${url.pathname}`);
      this.reply(res, { at, method, path: url.pathname }, { status: 404, body: { message: "Not Found" } });
      return;
    }
    let body: unknown = undefined;
    if (raw !== "") {
      try {
        body = JSON.parse(raw);
      } catch {
        this.problems.push(`${method} ${path}: the body is not JSON`);
        body = raw;
      }
    }
    const operation = path === "/graphql" && typeof (body as { query?: unknown } | undefined)?.query === "string" ? operationOf((body as { query: string }).query) : undefined;
    const pr = this.world.prOf(method, path, body);
    const entry = { at, method, path, ...(operation === undefined ? {} : { operation, ...mutationOf((body as { query: string }).query) }), ...(pr === undefined ? {} : { pr }) };

    const fault = this.takeFault(entry)?.fault;
    if (fault?.kind === "hang") {
      this.hung.add(res);
      res.on("close", () => this.hung.delete(res));
      this.log.push({ ...entry, status: "hung", fault: fault.kind, ms: 0 });
      return;
    }
    if (fault?.kind === "slow") await new Promise((r) => setTimeout(r, fault.ms));
    if (fault?.kind === "drop" && !fault.after) {
      this.log.push({ ...entry, status: "dropped", fault: fault.kind, ms: Date.now() - at });
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "status") return this.reply(res, { ...entry, fault: fault.kind }, { status: fault.status, body: { message: fault.status === 502 ? "Server Error" : "Service Unavailable" } });
    if (fault?.kind === "secondary-rate-limit") {
      return this.reply(res, { ...entry, fault: fault.kind }, { status: 403, body: { message: SECONDARY, documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits" }, headers: { "retry-after": String(fault.retryAfterSeconds ?? 1) } });
    }
    if (fault?.kind === "primary-rate-limit") {
      const reset = Math.ceil(Date.now() / 1000) + (fault.resetSeconds ?? 1);
      return this.reply(res, { ...entry, fault: fault.kind }, {
        status: 403,
        body: { message: "API rate limit exceeded for installation ID 1.", documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits" },
        headers: { "x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0", "x-ratelimit-used": "5000", "x-ratelimit-reset": String(reset), "x-ratelimit-resource": path === "/graphql" ? "graphql" : "core" },
      });
    }

    const token = TOKEN_ROUTE.exec(path);
    let answer: { status: number; body: unknown; headers?: Record<string, string> };
    if (method === "POST" && token) answer = this.issueToken(req, token[1] ?? "");
    else if (method === "GET" && path === "/app") answer = this.theApp(req);
    else if (!this.authorized(req)) answer = { status: 401, body: { message: "Bad credentials" } };
    else answer = this.world.route(method, path, body, url.searchParams);

    if (fault?.kind === "drop") {
      this.log.push({ ...entry, status: "dropped", fault: fault.kind, ms: Date.now() - at });
      req.socket.destroy();
      return;
    }
    this.reply(res, { ...entry, ...(fault ? { fault: fault.kind } : {}) }, answer);
  }

  private reply(res: ServerResponse, entry: Omit<LoggedRequest, "status" | "ms">, answer: { status: number; body: unknown; headers?: Record<string, string> }): void {
    const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
    const headers: Record<string, string> = {
      "content-type": "application/json; charset=utf-8",
      "x-github-request-id": randomBytes(8).toString("hex"),
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "4999",
      "x-ratelimit-reset": String(Math.ceil(Date.now() / 1000) + 3600),
      ...answer.headers,
    };
    this.log.push({ ...entry, status: answer.status, ms: Date.now() - entry.at });
    if (res.destroyed) return;
    res.writeHead(answer.status, headers);
    res.end(text);
  }

  /** `POST /app/installations/{id}/access_tokens`: only with a valid app JWT. */
  private issueToken(req: IncomingMessage, installationId: string): { status: number; body: unknown } {
    const auth = req.headers.authorization ?? "";
    const jwt = /^bearer (.+)$/i.exec(auth)?.[1];
    const problem = jwt ? this.jwtProblem(jwt) : "no bearer JWT";
    if (problem) {
      this.problems.push(`token request for installation ${installationId} refused: ${problem}`);
      return { status: 401, body: { message: `A JSON web token could not be decoded (${problem})` } };
    }
    const token = `ghs_e2e${randomBytes(16).toString("hex")}`;
    this.tokens.set(token, Number(installationId));
    return {
      status: 201,
      body: { token, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: { checks: "write", pull_requests: "write", issues: "read", contents: "read", metadata: "read" }, repository_selection: "all" },
    };
  }

  /** `GET /app`: the app itself, for a valid app JWT (what a readiness probe asks). */
  private theApp(req: IncomingMessage): { status: number; body: unknown } {
    const jwt = /^bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const problem = jwt ? this.jwtProblem(jwt) : "no bearer JWT";
    if (problem) {
      this.problems.push(`GET /app refused: ${problem}`);
      return { status: 401, body: { message: `A JSON web token could not be decoded (${problem})` } };
    }
    return { status: 200, body: { id: this.appId, slug: "countersign", name: "countersign", owner: { login: this.world.owner }, permissions: { checks: "write", pull_requests: "write" }, events: ["pull_request"] } };
  }

  private jwtProblem(jwt: string): string | undefined {
    const [h, p, s] = jwt.split(".");
    if (!h || !p || !s) return "not a JWT";
    let header: { alg?: string };
    let payload: { iss?: unknown; exp?: unknown; iat?: unknown };
    try {
      header = JSON.parse(base64url(h).toString("utf8")) as typeof header;
      payload = JSON.parse(base64url(p).toString("utf8")) as typeof payload;
    } catch {
      return "not a JWT";
    }
    if (header.alg !== "RS256") return `alg ${String(header.alg)}, not RS256`;
    if (String(payload.iss) !== String(this.appId)) return `iss ${String(payload.iss)}, not the app id ${this.appId}`;
    const now = Date.now() / 1000;
    if (typeof payload.exp !== "number" || payload.exp < now || payload.exp > now + 660) return "expired, or expiring too far ahead";
    if (this.publicKey && !verify("RSA-SHA256", Buffer.from(`${h}.${p}`), this.publicKey, base64url(s))) return "bad signature";
    return undefined;
  }

  private authorized(req: IncomingMessage): boolean {
    const token = /^token (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (token && this.tokens.has(token)) return true;
    this.problems.push(`${req.method} ${req.url}: without a valid installation token (${req.headers.authorization ? "unknown token" : "no Authorization header"})`);
    return false;
  }
}
