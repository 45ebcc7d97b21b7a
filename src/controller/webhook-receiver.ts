/**
 * The webhook receiver: `POST /hook` with a signed push notification (see webhook-signature.ts)
 * asks for a pass at once, so a pushed commit does not wait for the next poll. Everything else
 * gets a clear status and starts nothing: 404 another path, 405 another method, 413 a body over
 * the limit, 401 no signature, 403 a wrong one, 503 when the pass could not be asked for. A
 * GitHub `ping` (sent when the hook is set up) is answered 200 without a pass.
 *
 * The secret never appears in an answer or a report; the body is read only to be checked.
 */
import http from "node:http";
import { listen, type Listening } from "./http-listen.js";
import { verifySignature } from "./webhook-signature.js";

export const WEBHOOK_PATH = "/hook";

/** @default 1 MiB: a push notification is a few KiB; GitHub caps its payloads at 25 MiB. */
export const WEBHOOK_MAX_BODY_BYTES = 1024 * 1024;

/** One request, as the operator logs and counts it. */
export interface WebhookHit {
  status: number;
  /** Why it was answered so (no secret, no body). */
  why: string;
  /** The sender's event name (X-GitHub-Event, X-Gitlab-Event), when it gave one. */
  event?: string;
}

export interface WebhookReceiverOptions {
  /** HOST:PORT. */
  address: string;
  secret: Buffer;
  /** Asks for a pass; resolves with how (for the answer), rejects when it could not. */
  onPush: () => Promise<string>;
  onHit?: (hit: WebhookHit) => void;
  /** @default WEBHOOK_MAX_BODY_BYTES */
  maxBodyBytes?: number;
}

function eventOf(req: http.IncomingMessage): string | undefined {
  const e = req.headers["x-github-event"] ?? req.headers["x-gitlab-event"] ?? req.headers["x-gitea-event"];
  return typeof e === "string" ? e.slice(0, 64) : undefined;
}

/** Reads the body up to `max` bytes; undefined when it is longer. */
async function readBody(req: http.IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > max) return undefined;
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

export async function startWebhookReceiver(o: WebhookReceiverOptions): Promise<Listening> {
  const max = o.maxBodyBytes ?? WEBHOOK_MAX_BODY_BYTES;
  const handle = async (req: http.IncomingMessage): Promise<WebhookHit> => {
    const event = eventOf(req);
    const hit = (status: number, why: string): WebhookHit => ({
      status,
      why,
      ...(event === undefined ? {} : { event }),
    });
    const path = (req.url ?? "/").split("?")[0];
    if (path !== WEBHOOK_PATH) return hit(404, `no receiver at ${path}: POST to ${WEBHOOK_PATH}`);
    if (req.method !== "POST") return hit(405, `method ${req.method}: POST only`);
    if (Number(req.headers["content-length"] ?? 0) > max)
      return hit(413, `body over the limit of ${max} bytes`);
    const body = await readBody(req, max);
    if (body === undefined) return hit(413, `body over the limit of ${max} bytes`);
    const v = verifySignature(req.headers, body, o.secret);
    if (!v.ok) return hit(v.status, v.why);
    if (event === "ping") return hit(200, "ping: signature good, no pass needed");
    try {
      return hit(202, await o.onPush());
    } catch (e) {
      return hit(503, `could not ask for a pass: ${(e as Error).message}`);
    }
  };
  const server = http.createServer((req, res) => {
    handle(req).then(
      (h) => {
        o.onHit?.(h);
        const headers: http.OutgoingHttpHeaders = { "Content-Type": "text/plain; charset=utf-8" };
        if (h.status === 405) headers.Allow = "POST";
        // Refused early (413): do not keep reading what the client still sends.
        if (h.status === 413) headers.Connection = "close";
        res.writeHead(h.status, headers).end(`${h.why}\n`);
      },
      (e: unknown) => {
        const h = { status: 400, why: `bad request: ${(e as Error).message}` };
        o.onHit?.(h);
        res.writeHead(400).end(`${h.why}\n`);
      },
    );
  });
  // A sender that trickles its body does not hold the receiver.
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  return await listen(server, o.address, "--webhook-address");
}
