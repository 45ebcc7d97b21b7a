/**
 * Checking a push notification's signature: an HMAC of the exact body bytes with the shared
 * secret, sent as GitHub sends it (`X-Hub-Signature-256: sha256=<hex>`) or as Flux's
 * generic-hmac Receiver expects it (`X-Signature: sha256=<hex>`, also sha512). Compared in
 * constant time. Pure: the HTTP side is webhook-receiver.ts. Never puts the secret or the
 * expected digest into a message.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** The headers looked at, in order (lower case, as node:http gives them). */
export const SIGNATURE_HEADERS = ["x-hub-signature-256", "x-signature"] as const;

const ALGORITHMS = new Set(["sha256", "sha512"]);

export type SignatureVerdict =
  | { ok: true }
  /** 401: no signature at all (the sender does not sign: configure the secret there). */
  | { ok: false; status: 401; why: string }
  /** 403: a signature that does not match, or that we cannot check. */
  | { ok: false; status: 403; why: string };

/** Checks the signature in `headers` against `body` signed with `secret`. */
export function verifySignature(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  body: Buffer,
  secret: Buffer,
): SignatureVerdict {
  let header: string | undefined;
  let value: string | undefined;
  for (const h of SIGNATURE_HEADERS) {
    const v = headers[h];
    if (v === undefined) continue;
    if (Array.isArray(v)) return { ok: false, status: 403, why: `header ${h} given more than once` };
    header = h;
    value = v;
    break;
  }
  if (header === undefined || value === undefined)
    return { ok: false, status: 401, why: `no signature: expected header ${SIGNATURE_HEADERS.join(" or ")}` };
  const m = /^([a-z0-9]+)=([0-9a-fA-F]+)$/.exec(value.trim());
  if (m === null) return { ok: false, status: 403, why: `header ${header} is not ALGORITHM=HEX` };
  const algorithm = m[1] ?? "";
  if (header === "x-hub-signature-256" && algorithm !== "sha256")
    return { ok: false, status: 403, why: `header ${header} must be sha256=HEX` };
  if (!ALGORITHMS.has(algorithm))
    return {
      ok: false,
      status: 403,
      why: `header ${header}: algorithm ${algorithm} not accepted (sha256, sha512)`,
    };
  const expected = createHmac(algorithm, secret).update(body).digest();
  const given = Buffer.from(m[2] ?? "", "hex");
  // timingSafeEqual needs equal lengths; a wrong length reveals nothing about the digest.
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, status: 403, why: `header ${header}: signature does not match the body` };
  return { ok: true };
}

/** The signature a sender puts into `X-Hub-Signature-256` (for tests, benches and the docs). */
export function signBody(body: Buffer | string, secret: Buffer | string, algorithm = "sha256"): string {
  return `${algorithm}=${createHmac(algorithm, secret).update(body).digest("hex")}`;
}
