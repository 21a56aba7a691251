/**
 * countersign's fetch (src/github/fetch.ts), through the Octokit `npm start` uses, against a server
 * on loopback: what Octokit hands back must be what it would be with Node's global fetch.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { createNodeFetch } from "../../src/github/fetch.js";
import { CountersignOctokit } from "../../src/github/octokit.js";

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ server: Server; url: string; connections: () => number; seen: { method: string; url: string; auth?: string; body: string }[] }> {
  let connections = 0;
  const seen: { method: string; url: string; auth?: string; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      seen.push({ method: req.method ?? "", url: req.url ?? "", ...(req.headers.authorization ? { auth: req.headers.authorization } : {}), body });
      handler(req, body, res);
    });
  });
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections, seen };
}

const json = (res: ServerResponse, status: number, data: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(data));
};

describe("countersign's fetch, through Octokit", () => {
  let main: Awaited<ReturnType<typeof serve>>;
  let other: Awaited<ReturnType<typeof serve>>;
  const octokit = () => new CountersignOctokit({ auth: { token: "secret" }, baseUrl: main.url });

  beforeAll(async () => {
    other = await serve((req, _body, res) => json(res, 200, { where: "other", path: req.url }));
    main = await serve((req, body, res) => {
      const data = { method: req.method, path: req.url, encoding: req.headers["accept-encoding"], body: body === "" ? null : JSON.parse(body) as unknown };
      if (req.url === "/gzip") return res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" }), res.end(gzipSync(JSON.stringify(data))), undefined;
      if (req.url === "/no-content") return res.writeHead(204, { "content-encoding": "gzip" }), res.end(), undefined;
      if (req.url === "/stacked") return res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip, br" }), res.end(brotliCompressSync(gzipSync(JSON.stringify({ stacked: true })))), undefined;
      if (req.url === "/plain") return res.writeHead(200, { "content-type": "text/plain" }), res.end("hello"), undefined;
      if (req.url === "/moved") return res.writeHead(301, { location: "/repos/new" }), res.end(), undefined;
      if (req.url === "/elsewhere") return res.writeHead(302, { location: `${other.url}/there` }), res.end(), undefined;
      if (req.url === "/post-307") return res.writeHead(307, { location: "/echo" }), res.end(), undefined;
      if (req.url === "/missing") return json(res, 404, { message: "Not Found", documentation_url: "https://docs.github.com" });
      if (req.url === "/slow") return void setTimeout(() => json(res, 200, data), 300);
      if (req.url === "/drop") return void req.socket.destroy();
      json(res, 200, data, { "x-ratelimit-remaining": "4999" });
    });
  });

  afterAll(async () => {
    for (const s of [main, other]) {
      s.server.closeAllConnections();
      await new Promise((resolve) => s.server.close(resolve));
    }
  });

  it("sends the request as given and parses the JSON answer, headers included", async () => {
    const { data, status, headers } = await octokit().request("POST /echo", { title: "hi" });
    expect(status).toBe(200);
    expect(data).toEqual(expect.objectContaining({ method: "POST", path: "/echo", body: { title: "hi" } }));
    expect(headers["x-ratelimit-remaining"]).toBe("4999");
    expect(main.seen.at(-1)?.auth).toBe("token secret");
  });

  it("asks for compressed answers and decodes gzip and br", async () => {
    const { data } = await octokit().request("GET /gzip");
    expect(data).toEqual(expect.objectContaining({ path: "/gzip", encoding: "gzip, deflate, br" }));
    const br = await serve((_req, _body, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "br" });
      res.end(brotliCompressSync(JSON.stringify({ ok: "br" })));
    });
    try {
      expect((await new CountersignOctokit({ baseUrl: br.url }).request("GET /x")).data).toEqual({ ok: "br" });
    } finally {
      br.server.closeAllConnections();
      br.server.close();
    }
  });

  it("answers an empty 204 (even one that says gzip) with nothing to decode, and undoes stacked encodings", async () => {
    expect((await octokit().request("DELETE /no-content")).status).toBe(204);
    const head = await createNodeFetch()(`${main.url}/gzip`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect((await octokit().request("GET /stacked")).data).toEqual({ stacked: true });
  });

  it("answers text as text", async () => {
    expect((await octokit().request("GET /plain")).data).toBe("hello");
  });

  it("follows a redirect (a renamed repository), and drops the token when it leads to another origin", async () => {
    expect((await octokit().request("GET /moved")).data).toEqual(expect.objectContaining({ path: "/repos/new" }));
    expect(main.seen.at(-1)?.auth).toBe("token secret");
    expect((await octokit().request("GET /elsewhere")).data).toEqual({ where: "other", path: "/there" });
    expect(other.seen.at(-1)?.auth).toBeUndefined();
    // 307: the same method and body again.
    expect((await octokit().request("POST /post-307", { a: 1 })).data).toEqual(expect.objectContaining({ method: "POST", path: "/echo", body: { a: 1 } }));
  });

  it("turns an error answer into Octokit's RequestError with GitHub's message", async () => {
    await expect(octokit().request("GET /missing")).rejects.toMatchObject({ status: 404, message: expect.stringContaining("Not Found") });
  });

  it("reports a dropped connection as Octokit does for fetch (status 500, the socket's error as the message)", async () => {
    const error = (await octokit().request("GET /drop", { request: { retries: 0 } }).catch((e: unknown) => e)) as { status?: number; message?: string };
    expect(error.status).toBe(500);
    expect(error.message).toMatch(/socket hang up|ECONNRESET/);
  });

  it("stops when the signal aborts", async () => {
    const fetch = createNodeFetch();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(fetch(`${main.url}/slow`, { signal: controller.signal })).rejects.toMatchObject({ name: "AbortError" });
  });

  it("fails a request to a port nobody listens on as a failed connection", async () => {
    const fetch = createNodeFetch();
    const closed = await serve(() => undefined);
    const url = closed.url;
    await new Promise((resolve) => closed.server.close(resolve));
    await expect(fetch(`${url}/x`)).rejects.toMatchObject({ name: "TypeError", cause: expect.objectContaining({ code: "ECONNREFUSED" }) });
  });
});
