/**
 * The plan of `23ke install` with a webhook secret: Secret 23ke-webhook (key token) and the
 * chart's webhook.secretName, the secret masked in what a dry run prints, a conflicting
 * webhook.secretName refused, and an earlier install's Secret kept without being rewritten.
 * The secret file's checks are those of `23ke run --webhook-secret-file`.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readWebhookSecretFile } from "../../../src/cli/commands/run-webhook-secret.js";
import {
  describeInstall,
  installPlan,
  WEBHOOK_SECRET,
  type InstallRequest,
} from "../../../src/install/install-plan.js";

const root = path.resolve(import.meta.dirname, "..", "..", "..");
const SECRET = "webhook-signing-secret-of-the-unit-test";
const dir = mkdtempSync(path.join(os.tmpdir(), "23ke-install-plan-"));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function request(extra: Partial<InstallRequest> = {}): InstallRequest {
  return {
    systemNamespace: "23ke-system",
    landscape: "garden",
    chartDir: path.join(root, "charts", "23ke-operator"),
    operatorValues: {},
    ...extra,
  };
}

describe("installPlan with a webhook secret", () => {
  it("writes Secret 23ke-webhook (key token) and sets webhook.secretName; the dry run masks it", () => {
    const plan = installPlan(
      request({ webhookSecret: { value: SECRET }, operatorValues: { webhook: { port: 9393 } } }),
    );
    const secret = plan.secrets.find((s) => s.metadata.name === WEBHOOK_SECRET);
    expect(secret?.metadata.namespace).toBe("23ke-system");
    expect(Buffer.from((secret?.data as Record<string, string>).token ?? "", "base64").toString()).toBe(
      SECRET,
    );
    expect(plan.release.values.webhook).toEqual({ port: 9393, secretName: WEBHOOK_SECRET });
    const printed = describeInstall(plan, "");
    expect(printed).toContain(`name: ${WEBHOOK_SECRET}`);
    expect(printed).toContain(`token: <masked, ${SECRET.length} bytes>`);
    expect(printed).not.toContain(SECRET);
    expect(printed).not.toContain(Buffer.from(SECRET).toString("base64"));
  });

  it("without one, the chart's webhook stays off", () => {
    const plan = installPlan(request());
    expect(plan.secrets.map((s) => s.metadata.name)).not.toContain(WEBHOOK_SECRET);
    expect(plan.release.values.webhook).toBeUndefined();
  });

  it("keeps an earlier install's Secret: the chart names it, it is not written again", () => {
    const plan = installPlan(request({ webhookSecret: "keep" }));
    expect(plan.secrets.map((s) => s.metadata.name)).not.toContain(WEBHOOK_SECRET);
    expect(plan.release.values.webhook).toEqual({ secretName: WEBHOOK_SECRET });
  });

  it("refuses another webhook.secretName from --operator-values", () => {
    expect(() =>
      installPlan(
        request({ webhookSecret: { value: SECRET }, operatorValues: { webhook: { secretName: "mine" } } }),
      ),
    ).toThrow(/--operator-values sets webhook.secretName mine/);
  });
});

describe("readWebhookSecretFile", () => {
  it("takes the file's text without surrounding whitespace", () => {
    const f = path.join(dir, "ok");
    writeFileSync(f, `${SECRET}\n`);
    expect(readWebhookSecretFile(f).toString()).toBe(SECRET);
  });

  it.each([
    ["an empty file", "", /is empty/],
    ["a short secret", "xq7-zz-9k", /too short: use at least 16 random bytes/],
  ])("refuses %s without printing it", (_, text, message) => {
    const f = path.join(dir, `bad-${text.length}`);
    writeFileSync(f, text);
    expect(() => readWebhookSecretFile(f)).toThrow(message);
    try {
      readWebhookSecretFile(f);
    } catch (e) {
      if (text !== "") expect((e as Error).message).not.toContain(text);
    }
  });

  it("names the file it cannot read", () => {
    expect(() => readWebhookSecretFile(path.join(dir, "missing"))).toThrow(
      /cannot read --webhook-secret-file .*missing: ENOENT/,
    );
  });
});
