import { describe, expect, it } from "vitest";
import { MASKED, maskSecrets, secretLeafPaths } from "../../../src/values/values-mask.js";

describe("maskSecrets", () => {
  const masked: [string, Record<string, unknown>][] = [
    ["credentials subtree", { domains: { global: { credentials: { AWS_ACCESS_KEY_ID: "k" } } } }],
    ["password", { identity: { staticPasswords: [{ hash: "h" }] } }],
    ["secret", { dashboard: { sessionSecret: "s" } }],
    ["token", { global: { token: { id: "abc123", secret: "s" } } }],
    ["Secret data", { additionalSecrets: [{ name: "n", data: { x: "y" } }] }],
    ["stringData", { stringData: { x: "y" } }],
    ["private key key", { tls: { privateKey: "k" } }],
    ["tls.key", { "tls.key": "k" }],
    ["kubeconfig", { global: { kubeconfig: "apiVersion: v1" } }],
    ["access key", { config: { storageAccountAccessKey: "k" } }],
    ["extraEnvVars", { configuration: { extraEnvVars: { OS_USERNAME: "u" } } }],
    ["numbers under a secret key", { credentials: { pin: 1234 } }],
  ];
  it.each(masked)("masks %s", (_name, values) => {
    const out = JSON.stringify(maskSecrets(values));
    expect(out).toContain(MASKED);
    expect(secretLeafPaths(values).length).toBeGreaterThan(0);
  });

  it("masks a PEM private key anywhere", () => {
    const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----";
    expect(maskSecrets({ some: { innocent: pem } })).toEqual({ some: { innocent: MASKED } });
  });

  it("keeps references, names, switches and ordinary values", () => {
    const values = {
      secretRef: { name: "base-dns-provider-secret", namespace: "garden" },
      bootstrapKubeconfig: {
        secretRef: { name: "gardenlet-kubeconfig-bootstrap", namespace: "23ke-system" },
      },
      etcd: { secretNames: { ca: "etcd-ca" } },
      additionalSecrets: [{ name: "base-dns-provider-secret", namespace: "garden" }],
      gardenletBootstrap: { createToken: true },
      extraArgs: { "enable-ssl-passthrough": "" },
      oidc: { clientId: "dashboard", ca: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----" },
      replicas: 2,
    };
    expect(maskSecrets(values)).toEqual(values);
  });

  it("does not mutate its input", () => {
    const v = { credentials: { a: "b" } };
    maskSecrets(v);
    expect(v.credentials.a).toBe("b");
  });
});
