/**
 * One bounded HTTP(S) GET streamed to a file: a time limit for the whole request, a byte limit
 * checked against Content-Length and while streaming (so a huge answer never sits in memory),
 * conditional headers, and the sha256 of what was written. Failures come back as a small closed
 * set of kinds; the chart source turns them into messages naming repository, chart and version.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";

export type DownloadFailureKind = "unreachable" | "timeout" | "status" | "too-large" | "interrupted";

export class DownloadFailure extends Error {
  override readonly name = "DownloadFailure";
  constructor(
    readonly kind: DownloadFailureKind,
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface DownloadRequest {
  url: string;
  dest: string;
  maxBytes: number;
  timeoutMs: number;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export type DownloadResult =
  | { status: 304; etag: string | undefined; lastModified: string | undefined }
  | {
      status: 200;
      bytes: number;
      sha256: string;
      etag: string | undefined;
      lastModified: string | undefined;
    };

/** A time limit as people say it: "60s", or "250 ms" for the short ones tests use. */
function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)}s`;
}

function networkMessage(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message;
}

export async function download(req: DownloadRequest): Promise<DownloadResult> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal === undefined ? timeout : AbortSignal.any([timeout, req.signal]);
  let res: Response;
  try {
    res = await fetch(req.url, { headers: req.headers ?? {}, signal, redirect: "follow" });
  } catch (e) {
    if (timeout.aborted)
      throw new DownloadFailure("timeout", `gave no answer within ${duration(req.timeoutMs)}`);
    throw new DownloadFailure("unreachable", `cannot connect (${networkMessage(e)})`, undefined, {
      cause: e,
    });
  }
  const etag = res.headers.get("etag") ?? undefined;
  const lastModified = res.headers.get("last-modified") ?? undefined;
  if (res.status === 304) {
    await res.body?.cancel();
    return { status: 304, etag, lastModified };
  }
  if (res.status !== 200) {
    await res.body?.cancel().catch(() => undefined);
    throw new DownloadFailure("status", `answered HTTP ${res.status}`, res.status);
  }
  const declared = Number(res.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > req.maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new DownloadFailure("too-large", `is ${declared} bytes, more than the limit of ${req.maxBytes}`);
  }
  const hash = createHash("sha256");
  const out = createWriteStream(req.dest, { mode: 0o644 });
  let bytes = 0;
  try {
    if (res.body === null) throw new DownloadFailure("interrupted", "answered without a body");
    const reader = res.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    for (;;) {
      let chunk: Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>["read"]>>;
      try {
        chunk = await reader.read();
      } catch (e) {
        if (timeout.aborted)
          throw new DownloadFailure("timeout", `did not finish within ${duration(req.timeoutMs)}`);
        throw new DownloadFailure(
          "interrupted",
          `the transfer broke off after ${bytes} bytes (${networkMessage(e)})`,
          undefined,
          {
            cause: e,
          },
        );
      }
      if (chunk.done) break;
      bytes += chunk.value.byteLength;
      if (bytes > req.maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new DownloadFailure("too-large", `is more than the limit of ${req.maxBytes} bytes`);
      }
      hash.update(chunk.value);
      if (!out.write(chunk.value)) await new Promise<void>((resolve) => out.once("drain", resolve));
    }
    if (Number.isFinite(declared) && bytes !== declared) {
      throw new DownloadFailure("interrupted", `the transfer ended after ${bytes} of ${declared} bytes`);
    }
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  } catch (e) {
    out.destroy();
    await rm(req.dest, { force: true });
    throw e;
  }
  return { status: 200, bytes, sha256: hash.digest("hex"), etag, lastModified };
}
