/**
 * The objects of a release as Helm stored it (src/helm/release-storage.ts storedReleaseObjects,
 * what `23ke tree` lists): those of the newest deployed revision, by kind and name only, never
 * the content of the manifest.
 */
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { storedReleaseObjects } from "../../../src/helm/release-storage.js";
import type { KubeObject } from "../../../src/kube/client.js";

type Secret = KubeObject & { data?: Record<string, string> };

const encode = (record: unknown): string =>
  Buffer.from(gzipSync(Buffer.from(JSON.stringify(record))).toString("base64")).toString("base64");

function releaseSecret(version: number, status: string, manifest?: string): Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: `sh.helm.release.v1.garden-etcd.v${version}`,
      namespace: "garden",
      labels: { owner: "helm", name: "garden-etcd", status, version: String(version) },
    },
    ...(manifest === undefined ? {} : { data: { release: encode({ version, manifest }) } }),
  };
}

const client = (secrets: Secret[]) => ({
  list: <T extends KubeObject>() => Promise.resolve(secrets as unknown as T[]),
});

const V1 = `---
# Source: etcd/templates/etcd.yaml
apiVersion: v1
kind: Secret
metadata:
  name: etcd-ca
data:
  ca.crt: c2VjcmV0
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: etcd, namespace: garden }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: etcd-reader }
---
# an empty document and one without a name are no objects
---
apiVersion: v1
kind: ConfigMap
metadata: {}
`;

describe("the objects of a stored release", () => {
  it.each<[string, Secret[], unknown]>([
    ["no release", [], undefined],
    [
      "the newest deployed revision's objects, by name only",
      [
        releaseSecret(1, "superseded", "kind: Old\napiVersion: v1\nmetadata: {name: old}\n"),
        releaseSecret(2, "deployed", V1),
      ],
      {
        revision: 2,
        status: "deployed",
        objects: [
          { apiVersion: "v1", kind: "Secret", name: "etcd-ca" },
          { apiVersion: "apps/v1", kind: "StatefulSet", name: "etcd", namespace: "garden" },
          { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", name: "etcd-reader" },
        ],
      },
    ],
    [
      "the deployed revision, not a newer one that failed",
      [
        releaseSecret(2, "deployed", V1),
        releaseSecret(3, "failed", "kind: New\napiVersion: v1\nmetadata: {name: new}\n"),
      ],
      { revision: 2, status: "deployed" },
    ],
    [
      "the newest revision when none is deployed, with no objects when its record is unreadable",
      [releaseSecret(1, "pending-install")],
      { revision: 1, status: "pending-install", objects: [] },
    ],
  ])("%s", async (_, secrets, want) => {
    const got = await storedReleaseObjects(client(secrets), "garden-etcd", "garden");
    if (want === undefined) expect(got).toBeUndefined();
    else expect(got).toMatchObject(want as object);
    expect(JSON.stringify(got ?? {})).not.toContain("c2VjcmV0");
  });
});
