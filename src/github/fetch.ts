/**
 * The `fetch` countersign's Octokit sends requests with: node:http(s) with keep-alive connections,
 * answering the slice of the Fetch API that @octokit/request reads (status, url, headers, text,
 * arrayBuffer). Node 20's global fetch (undici, WHATWG streams) costs about as much CPU per request
 * as the rest of Octokit together; on a busy app that CPU is webhooks not answered (measured by
 * `bench/webhooks`; see the README).
 *
 * Behaves as fetch does for what Octokit asks: bodies are strings or bytes; gzip, deflate and br answers
 * are decoded; redirects are followed as fetch follows them (at most 5; `redirect: "manual"` answers
 * them as they are, `"error"` rejects), without the credentials when they lead to another origin
 * (GitHub redirects requests for a renamed repository); an aborted `signal` rejects with an
 * `AbortError`; a failed connection rejects with a `TypeError` whose `cause` is the socket error (as
 * undici's fetch: Octokit turns both into a `RequestError` with status 500, and countersign retries
 * it as a failed connection). Proxies are not
 * supported, as with Node 20's global fetch.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { brotliDecompress, gunzip, inflate } from "node:zlib";
import { promisify } from "node:util";

const decoders: Record<string, (data: Buffer) => Promise<Buffer>> = { gzip: promisify(gunzip), "x-gzip": promisify(gunzip), deflate: promisify(inflate), br: promisify(brotliDecompress) };
const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** The part of a fetch Response that @octokit/request reads. */
export class NodeResponse {
  readonly headers: Headers;
  readonly ok: boolean;
  readonly redirected: boolean;
  constructor(
    private readonly bytes: Buffer,
    readonly status: number,
    readonly statusText: string,
    headers: IncomingHttpHeaders,
    readonly url: string,
    redirected: boolean,
  ) {
    this.headers = new Headers();
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) this.headers.append(name, v);
    }
    this.ok = status >= 200 && status < 300;
    this.redirected = redirected;
  }

  async text(): Promise<string> {
    return this.bytes.toString("utf8");
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.bytes.toString("utf8")) as unknown;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.bytes.buffer.slice(this.bytes.byteOffset, this.bytes.byteOffset + this.bytes.byteLength) as ArrayBuffer;
  }
}

export interface NodeFetchInit {
  method?: string;
  body?: string | Uint8Array | null;
  headers?: Record<string, string>;
  redirect?: "follow" | "manual" | "error";
  signal?: AbortSignal | null;
}

/**
 * How long an idle connection is kept: 4 s, as undici does — below the usual server idle time-outs
 * (Node's 5 s), so a request is not sent on a connection the server is closing.
 */
const IDLE_MS = 4_000;

/** A fetch over keep-alive node:http(s) agents (one pair per call of this function). */
export function createNodeFetch(options: { maxSockets?: number } = {}): (url: string | URL, init?: NodeFetchInit) => Promise<NodeResponse> {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64, timeout: IDLE_MS };
  const agents = { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) };
  const once = (url: URL, init: NodeFetchInit): Promise<{ res: IncomingMessage; bytes: Buffer }> =>
    new Promise((resolve, reject) => {
      const https = url.protocol === "https:";
      if (!https && url.protocol !== "http:") {
        reject(new TypeError(`fetch failed: unsupported protocol ${url.protocol}`));
        return;
      }
      const headers: Record<string, string> = { "accept-encoding": "gzip, deflate, br", ...init.headers };
      const body = init.body ?? undefined;
      if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
      const req = (https ? httpsRequest : httpRequest)(url, { method: init.method ?? "GET", headers, agent: https ? agents.https : agents.http, ...(init.signal ? { signal: init.signal } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", (error) => reject(failed(error, init.signal)));
        res.on("end", () => {
          const bytes = Buffer.concat(chunks);
          // Nothing to decode in an empty body (HEAD, 204, 304 …); stacked encodings are undone last first.
          const codings = String(res.headers["content-encoding"] ?? "").toLowerCase().split(",").map((c) => c.trim()).filter((c) => c !== "" && c !== "identity");
          if (codings.length === 0 || bytes.length === 0) {
            resolve({ res, bytes });
            return;
          }
          codings
            .reverse()
            .reduce<Promise<Buffer>>((body, coding) => body.then((b) => (decoders[coding] ?? ((x: Buffer) => Promise.resolve(x)))(b)), Promise.resolve(bytes))
            .then(
              (decoded) => resolve({ res, bytes: decoded }),
              (error: unknown) => reject(new TypeError("fetch failed: the answer could not be decoded", { cause: error })),
            );
        });
      });
      req.on("error", (error) => reject(failed(error, init.signal)));
      req.end(body);
    });

  return async (input, init = {}) => {
    let url = new URL(String(input));
    let request: NodeFetchInit = { ...init, method: (init.method ?? "GET").toUpperCase() };
    for (let hops = 0; ; hops++) {
      const { res, bytes } = await once(url, request);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (REDIRECTS.has(status) && typeof location === "string" && (init.redirect ?? "follow") !== "manual") {
        if (init.redirect === "error") throw new TypeError("fetch failed: redirected");
        if (hops >= MAX_REDIRECTS) throw new TypeError(`fetch failed: more than ${MAX_REDIRECTS} redirects`);
        const next = new URL(location, url);
        let headers = request.headers ?? {};
        // As fetch: 303, and 301/302 after a POST, become a GET without a body; 307/308 repeat the request.
        if ((status === 303 && request.method !== "GET" && request.method !== "HEAD") || ((status === 301 || status === 302) && request.method === "POST")) {
          headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !/^content-/i.test(name)));
          request = { ...request, method: "GET", body: null };
        }
        // As fetch: credentials do not follow a redirect to another origin.
        if (next.origin !== url.origin) headers = Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== "authorization"));
        request = { ...request, headers };
        url = next;
        continue;
      }
      return new NodeResponse(bytes, status, res.statusMessage ?? "", res.headers, url.toString(), hops > 0);
    }
  };
}

/** As fetch rejects: an `AbortError` when the signal aborted, else a `TypeError` caused by the socket error. */
function failed(error: Error, signal: AbortSignal | null | undefined): Error {
  if (signal?.aborted || error.name === "AbortError") {
    const abort = new Error("This operation was aborted", { cause: error });
    abort.name = "AbortError";
    return abort;
  }
  // The socket's message (undici says "fetch failed", and Octokit reads the cause's message instead).
  return new TypeError(error.message, { cause: error });
}

/** The process's one keep-alive fetch. */
export const nodeFetch = createNodeFetch();
