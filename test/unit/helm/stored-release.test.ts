/**
 * What the release engine reads of Helm's release storage (src/helm/release-storage.ts): the
 * newest revision and its status from the Secrets' labels, and for a pending one when its
 * operation began, from the release record (base64 of the gzipped JSON, base64-encoded again
 * by the Secret). Here beside the engine's tests; its home is test/unit/helm.
 */
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { decodeReleaseSecret, storedRelease } from "../../../src/helm/release-storage.js";
import type { KubeObject } from "../../../src/kube/client.js";

type Secret = KubeObject & { data?: Record<string, string> };

function releaseSecret(version: number, status: string, record?: unknown): Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: `sh.helm.release.v1.garden-etcd.v${version}`,
      namespace: "garden",
      labels: { owner: "helm", name: "garden-etcd", status, version: String(version) },
    },
    ...(record === undefined
      ? {}
      : {
          data: {
            release: Buffer.from(
              gzipSync(Buffer.from(typeof record === "string" ? record : JSON.stringify(record))).toString(
                "base64",
              ),
            ).toString("base64"),
          },
        }),
  };
}

function client(secrets: Secret[]): { list: <T extends KubeObject>() => Promise<T[]>; selectors: string[] } {
  const selectors: string[] = [];
  return {
    selectors,
    list: <T extends KubeObject>(_v?: string, _k?: string, _ns?: string, selector?: string) => {
      selectors.push(selector ?? "");
      return Promise.resolve(secrets as unknown as T[]);
    },
  };
}

const started = "2025-01-01T10:00:00Z";

describe("Helm's release storage", () => {
  it.each<[string, Secret[], unknown]>([
    ["no release", [], undefined],
    [
      "the newest revision by its version label",
      [releaseSecret(2, "superseded"), releaseSecret(10, "deployed"), releaseSecret(9, "superseded")],
      { revision: 10, status: "deployed" },
    ],
    [
      "a pending revision with when its operation began",
      [
        releaseSecret(1, "deployed"),
        releaseSecret(2, "pending-upgrade", { info: { last_deployed: started } }),
      ],
      { revision: 2, status: "pending-upgrade", startedAt: Date.parse(started) },
    ],
    [
      "a pending revision whose record is unreadable",
      [releaseSecret(2, "pending-install", "not json")],
      { revision: 2, status: "pending-install" },
    ],
    [
      "a revision without a status label",
      [{ ...releaseSecret(1, ""), metadata: { name: "x" } }],
      {
        revision: 0,
        status: "unknown",
      },
    ],
  ])("%s", async (_, secrets, want) => {
    const c = client(secrets);
    expect(await storedRelease(c, "garden-etcd", "garden")).toEqual(want);
    expect(c.selectors).toEqual(["owner=helm,name=garden-etcd"]);
  });

  it("decodes a release record, and nothing from a Secret without a readable one", () => {
    const record = { version: 3, info: { status: "deployed", last_deployed: started } };
    expect(decodeReleaseSecret(releaseSecret(3, "deployed", record))).toEqual(record);
    expect(decodeReleaseSecret(releaseSecret(3, "deployed"))).toBeUndefined();
    expect(decodeReleaseSecret(releaseSecret(3, "deployed", "{broken"))).toBeUndefined();
  });
});
