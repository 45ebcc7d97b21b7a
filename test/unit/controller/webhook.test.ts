import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signBody, verifySignature } from "../../../src/controller/webhook-signature.js";
import { startWebhookReceiver, type WebhookHit } from "../../../src/controller/webhook-receiver.js";
import type { Listening } from "../../../src/controller/http-listen.js";
import { createHmac } from "node:crypto";

const secret = Buffer.from("a-secret-of-enough-length-0123456789");
const body = Buffer.from(JSON.stringify({ ref: "refs/heads/main", after: "abc" }));

describe("verifySignature", () => {
  const hex256 = createHmac("sha256", secret).update(body).digest("hex");
  const hex512 = createHmac("sha512", secret).update(body).digest("hex");
  it.each<[string, Record<string, string | string[]>, Buffer, number | "ok", RegExp?]>([
    ["GitHub's header, right signature", { "x-hub-signature-256": `sha256=${hex256}` }, body, "ok"],
    ["upper-case hex", { "x-hub-signature-256": `sha256=${hex256.toUpperCase()}` }, body, "ok"],
    ["Flux's generic-hmac header, sha256", { "x-signature": `sha256=${hex256}` }, body, "ok"],
    ["Flux's generic-hmac header, sha512", { "x-signature": `sha512=${hex512}` }, body, "ok"],
    ["no signature", {}, body, 401, /no signature/],
    [
      "a changed body",
      { "x-hub-signature-256": `sha256=${hex256}` },
      Buffer.from(`${body.toString()} `),
      403,
      /does not match/,
    ],
    [
      "another secret",
      { "x-hub-signature-256": signBody(body, "another-secret-of-enough-length") },
      body,
      403,
      /does not match/,
    ],
    [
      "a truncated signature",
      { "x-hub-signature-256": `sha256=${hex256.slice(0, 62)}` },
      body,
      403,
      /does not match/,
    ],
    ["not hex", { "x-hub-signature-256": `sha256=${"z".repeat(64)}` }, body, 403, /not ALGORITHM=HEX/],
    ["no algorithm", { "x-hub-signature-256": hex256 }, body, 403, /not ALGORITHM=HEX/],
    [
      "sha1 (weak)",
      { "x-signature": `sha1=${createHmac("sha1", secret).update(body).digest("hex")}` },
      body,
      403,
      /sha1 not accepted/,
    ],
    [
      "sha512 in GitHub's sha256 header",
      { "x-hub-signature-256": `sha512=${hex512}` },
      body,
      403,
      /must be sha256/,
    ],
    [
      "the header twice",
      { "x-hub-signature-256": [`sha256=${hex256}`, `sha256=${hex256}`] },
      body,
      403,
      /more than once/,
    ],
  ])("%s", (_, headers, b, expected, why) => {
    const v = verifySignature(headers, b, secret);
    if (expected === "ok") expect(v).toEqual({ ok: true });
    else {
      expect(v).toMatchObject({ ok: false, status: expected });
      if (!v.ok) expect(v.why).toMatch(why ?? /./);
      // Neither the secret nor the digest it would take is ever in the message.
      if (!v.ok) expect(v.why).not.toContain(hex256.slice(0, 16));
      if (!v.ok) expect(v.why).not.toContain(secret.toString());
    }
  });
});

describe("startWebhookReceiver", () => {
  let receiver: Listening;
  let pushes = 0;
  const hits: WebhookHit[] = [];
  beforeAll(async () => {
    receiver = await startWebhookReceiver({
      address: "127.0.0.1:0",
      secret,
      maxBodyBytes: 4096,
      onPush: () => {
        pushes++;
        return Promise.resolve("pass requested");
      },
      onHit: (h) => hits.push(h),
    });
  });
  afterAll(async () => {
    await receiver.close();
  });

  const send = async (init: RequestInit & { path?: string }): Promise<{ status: number; text: string }> => {
    const r = await fetch(`http://${receiver.address}${init.path ?? "/hook"}`, init);
    return { status: r.status, text: await r.text() };
  };

  it.each<[string, RequestInit & { path?: string }, number, RegExp]>([
    [
      "a signed push",
      {
        method: "POST",
        body,
        headers: { "X-Hub-Signature-256": signBody(body, secret), "X-GitHub-Event": "push" },
      },
      202,
      /pass requested/,
    ],
    [
      "a signed ping",
      {
        method: "POST",
        body,
        headers: { "X-Hub-Signature-256": signBody(body, secret), "X-GitHub-Event": "ping" },
      },
      200,
      /no pass needed/,
    ],
    [
      "a bad signature",
      {
        method: "POST",
        body,
        headers: { "X-Hub-Signature-256": signBody(body, "wrong-secret-of-enough-length") },
      },
      403,
      /does not match/,
    ],
    ["no signature", { method: "POST", body }, 401, /no signature/],
    ["GET", { method: "GET" }, 405, /POST only/],
    [
      "another path",
      { method: "POST", body, path: "/other", headers: { "X-Hub-Signature-256": signBody(body, secret) } },
      404,
      /POST to \/hook/,
    ],
    [
      "a body over the limit",
      {
        method: "POST",
        body: Buffer.alloc(5000, 1),
        headers: { "X-Hub-Signature-256": signBody(Buffer.alloc(5000, 1), secret) },
      },
      413,
      /over the limit/,
    ],
  ])("%s", async (_, init, status, text) => {
    const before = pushes;
    const r = await send(init);
    expect(r.status).toBe(status);
    expect(r.text).toMatch(text);
    expect(pushes - before).toBe(status === 202 ? 1 : 0);
    expect(hits.at(-1)?.status).toBe(status);
  });

  it("a pass that cannot be asked for answers 503", async () => {
    const r = await startWebhookReceiver({
      address: "127.0.0.1:0",
      secret,
      onPush: () => Promise.reject(new Error("no leader Lease")),
    });
    try {
      const res = await fetch(`http://${r.address}/hook`, {
        method: "POST",
        body,
        headers: { "X-Signature": signBody(body, secret) },
      });
      expect(res.status).toBe(503);
      expect(await res.text()).toMatch(/could not ask for a pass: no leader Lease/);
    } finally {
      await r.close();
    }
  });
});
