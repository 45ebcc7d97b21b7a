/**
 * Whether a release 23ke has no record of can be adopted as it is (src/helm/release-storage.ts
 * compareDeployedRelease): the newest revision deployed, from the same chart name and version,
 * with the same user-supplied values, and a manifest 23ke's post-render patches change nothing
 * in. The reason given when not never quotes a value.
 */
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { compareDeployedRelease, type ExpectedRelease } from "../../../src/helm/release-storage.js";
import type { PostRenderPatch } from "../../../src/helm/post-render-patches.js";
import type { KubeObject } from "../../../src/kube/client.js";

type Secret = KubeObject & { data?: Record<string, string> };

const encode = (record: unknown): string =>
  Buffer.from(gzipSync(Buffer.from(JSON.stringify(record))).toString("base64")).toString("base64");

const MANIFEST = `---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: etcd, namespace: garden }
spec:
  replicas: 1
  template:
    spec:
      priorityClassName: gardener-kubernetes
---
apiVersion: v1
kind: Service
metadata: { name: etcd }
`;

function releaseSecret(
  version: number,
  status: string,
  record: { chart?: [string, string]; config?: unknown; manifest?: string } = {},
): Secret {
  const [name, chartVersion] = record.chart ?? ["etcd", "6.0.0"];
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: `sh.helm.release.v1.garden-etcd.v${version}`,
      namespace: "garden",
      labels: { owner: "helm", name: "garden-etcd", status, version: String(version) },
    },
    data: {
      release: encode({
        version,
        chart: { metadata: { name, version: chartVersion } },
        config: record.config ?? { password: "s3cr3t", replicas: 1 },
        manifest: record.manifest ?? MANIFEST,
      }),
    },
  };
}

const client = (secrets: Secret[]) => ({
  list: <T extends KubeObject>() => Promise.resolve(secrets as unknown as T[]),
});

const priority: PostRenderPatch = {
  target: { kind: "StatefulSet" },
  patch: [{ op: "add", path: "/spec/template/spec/priorityClassName", value: "gardener-kubernetes" }],
};
const other: PostRenderPatch = {
  target: { kind: "StatefulSet" },
  patch: [{ op: "add", path: "/spec/template/spec/priorityClassName", value: "other" }],
};

const expected: ExpectedRelease = {
  chart: { name: "etcd", version: "6.0.0" },
  // The same values in another key order, with an undefined member helm never sees.
  values: { replicas: 1, password: "s3cr3t", unset: undefined },
  postRender: [priority],
};

describe("comparing a deployed release with what 23ke would deploy", () => {
  it.each<[string, Secret[], Partial<ExpectedRelease>, unknown]>([
    [
      "same chart, values and post-rendered manifest: adoptable, objects by name",
      [releaseSecret(1, "superseded"), releaseSecret(2, "deployed")],
      {},
      {
        adoptable: true,
        revision: 2,
        objects: [
          { apiVersion: "apps/v1", kind: "StatefulSet", name: "etcd", namespace: "garden" },
          { apiVersion: "v1", kind: "Service", name: "etcd" },
        ],
      },
    ],
    ["no release", [], {}, { adoptable: false, why: "no release stored" }],
    [
      "newest revision not deployed",
      [releaseSecret(1, "deployed"), releaseSecret(2, "failed")],
      {},
      { adoptable: false, revision: 2, why: "revision 2 is failed" },
    ],
    [
      "another chart version",
      [releaseSecret(3, "deployed", { chart: ["etcd", "5.0.0"] })],
      {},
      { adoptable: false, revision: 3, why: "revision 3 was made from chart etcd@5.0.0" },
    ],
    [
      "other values: said without quoting them",
      [releaseSecret(1, "deployed", { config: { password: "other", replicas: 1 } })],
      {},
      { adoptable: false, revision: 1, why: "the values of revision 1 differ" },
    ],
    [
      "a post-render patch that would change the manifest",
      [releaseSecret(1, "deployed")],
      { postRender: [other] },
      {
        adoptable: false,
        revision: 1,
        why: "revision 1's manifest lacks the effect of 23ke's post-render patches",
      },
    ],
    [
      "no post-render patches: the manifest is not looked at",
      [releaseSecret(1, "deployed", { manifest: "" })],
      { postRender: [] },
      { adoptable: true, revision: 1, objects: [] },
    ],
  ])("%s", async (_, secrets, override, want) => {
    const r = await compareDeployedRelease(client(secrets), "garden-etcd", "garden", {
      ...expected,
      ...override,
    });
    expect(r).toEqual(want);
    expect(JSON.stringify(r)).not.toContain("s3cr3t");
  });
});
