/**
 * Listing Helm's release storage without helm (src/helm/release-storage.ts, for `23ke doctor`):
 * the newest revision of every release across namespaces, by the Secrets' labels, with when a
 * pending operation began from the record.
 */
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { listStoredReleases } from "../../../src/helm/release-storage.js";
import type { KubeObject } from "../../../src/kube/client.js";

type Secret = KubeObject & { data?: Record<string, string> };

function secret(
  namespace: string,
  release: string,
  version: number,
  status: string,
  record?: object,
): Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: `sh.helm.release.v1.${release}.v${version}`,
      namespace,
      labels: { owner: "helm", name: release, status, version: String(version) },
    },
    ...(record === undefined
      ? {}
      : {
          data: {
            release: Buffer.from(gzipSync(Buffer.from(JSON.stringify(record))).toString("base64")).toString(
              "base64",
            ),
          },
        }),
  };
}

describe("listing Helm's release storage", () => {
  it("the newest revision of each release, per namespace, sorted; pending ones with their start", async () => {
    const asked: unknown[][] = [];
    const started = "2026-01-02T03:04:05Z";
    const client = {
      list: <T extends KubeObject>(...args: unknown[]) => {
        asked.push(args);
        return Promise.resolve([
          secret("garden", "garden-etcd", 1, "superseded"),
          secret("garden", "garden-etcd", 2, "deployed"),
          secret("kube-system", "garden-etcd", 1, "failed"),
          secret("garden", "garden-dashboard", 3, "pending-upgrade", { info: { last_deployed: started } }),
          { ...secret("garden", "x", 1, "deployed"), metadata: { name: "no-labels", namespace: "garden" } },
        ] as unknown as T[]);
      },
    };
    expect(await listStoredReleases(client)).toEqual([
      {
        namespace: "garden",
        name: "garden-dashboard",
        revision: 3,
        status: "pending-upgrade",
        startedAt: Date.parse(started),
      },
      { namespace: "garden", name: "garden-etcd", revision: 2, status: "deployed" },
      { namespace: "kube-system", name: "garden-etcd", revision: 1, status: "failed" },
    ]);
    expect(asked).toEqual([["v1", "Secret", undefined, "owner=helm"]]);
  });
});
