/**
 * The pure parts of `23ke diff` (src/diff): normalisation of live objects, masking of Secret data
 * and credentials, the classification of an object as created, changed, deleted or unchanged,
 * the objects a new manifest no longer has, and the text report.
 */
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/kube/client.js";
import {
  componentChanges,
  countChanges,
  diffText,
  hasChanges,
  objectDiffLines,
  type ComponentDiff,
  type LandscapeDiff,
} from "../../../src/diff/diff-report.js";
import { compareObject } from "../../../src/diff/object-diff.js";
import { normaliseObject, objectKey } from "../../../src/diff/object-normalise.js";
import {
  identityOf,
  manifestDocuments,
  removedObjects,
  withHelmOwnership,
} from "../../../src/diff/release-objects.js";
import { maskObjectPair, MASKED_CHANGED } from "../../../src/diff/secret-mask.js";

const b64 = (s: string): string => Buffer.from(s).toString("base64");

const deployment = (replicas: number, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: {
    name: "identity",
    namespace: "garden",
    labels: { app: "identity" },
    ...extra,
  },
  spec: { replicas, template: { spec: { containers: [{ name: "dex", image: "dex:v2" }] } } },
});

const secret = (data: Record<string, string>, stringData?: Record<string, string>): KubeObject => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "creds", namespace: "garden" },
  type: "Opaque",
  data,
  ...(stringData === undefined ? {} : { stringData }),
});

const serverFields = {
  uid: "0b7d",
  resourceVersion: "4711",
  generation: 3,
  creationTimestamp: "2026-01-01T00:00:00Z",
  managedFields: [{ manager: "helm", operation: "Apply" }],
};

describe("normaliseObject", () => {
  it.each([
    ["server metadata", { ...deployment(1), metadata: { ...deployment(1).metadata, ...serverFields } }],
    ["status", { ...deployment(1), status: { readyReplicas: 1 } }],
    ["empty annotations", { ...deployment(1), metadata: { ...deployment(1).metadata, annotations: {} } }],
  ])("drops %s", (_what, o) => {
    expect(normaliseObject(o as KubeObject)).toEqual(deployment(1));
  });

  it("keeps what the owner wrote and does not touch its input", () => {
    const live = { ...deployment(2), metadata: { ...deployment(2).metadata, ...serverFields } };
    const n = normaliseObject(live);
    expect(n.metadata.labels).toEqual({ app: "identity" });
    expect(live.metadata.uid).toBe("0b7d");
  });
});

describe("objectKey", () => {
  it.each([
    [{ apiVersion: "apps/v1", kind: "Deployment", name: "a" }, "garden", "apps/Deployment/garden/a"],
    [
      { apiVersion: "apps/v1beta1", kind: "Deployment", name: "a", namespace: "x" },
      "garden",
      "apps/Deployment/x/a",
    ],
    [{ apiVersion: "v1", kind: "ConfigMap", name: "a" }, undefined, "/ConfigMap//a"],
  ])("%j in %s is %s", (o, ns, key) => {
    expect(objectKey(o, ns)).toBe(key);
  });
});

describe("maskObjectPair", () => {
  it.each([
    {
      what: "an unchanged value is masked on both sides",
      live: secret({ password: b64("s3cret") }),
      desired: secret({ password: b64("s3cret") }),
      liveData: { password: "<masked>" },
      desiredData: { password: "<masked>" },
    },
    {
      what: "a changed value is marked on the side of the apply",
      live: secret({ password: b64("old-one"), user: b64("admin") }),
      desired: secret({ password: b64("new-one"), user: b64("admin") }),
      liveData: { password: "<masked>", user: "<masked>" },
      desiredData: { password: MASKED_CHANGED, user: "<masked>" },
    },
    {
      what: "stringData is compared by its bytes with the live data",
      live: secret({ token: b64("same") }),
      desired: secret({}, { token: "same" }),
      liveData: { token: "<masked>" },
      desiredData: {},
      desiredStringData: { token: "<masked>" },
    },
    {
      what: "a new key is masked, not marked changed",
      live: secret({}),
      desired: secret({ added: b64("x") }),
      liveData: {},
      desiredData: { added: "<masked>" },
    },
  ])("$what", ({ live, desired, liveData, desiredData, desiredStringData }) => {
    const m = maskObjectPair(live, desired);
    expect(m.live?.data).toEqual(liveData);
    expect(m.desired?.data).toEqual(desiredData);
    if (desiredStringData !== undefined) expect(m.desired?.stringData).toEqual(desiredStringData);
    // the inputs keep their values
    expect(JSON.stringify(live) + JSON.stringify(desired)).not.toContain("<masked");
  });

  it("masks a Secret's last-applied-configuration, private keys and sensitive strings anywhere", () => {
    const s = secret({ a: b64("x") });
    s.metadata.annotations = { "kubectl.kubernetes.io/last-applied-configuration": '{"data":{"a":"eA=="}}' };
    const cm: KubeObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c" },
      data: {
        "config.yaml": "accessKey: AKIAEXAMPLE\nregion: eu",
        "tls.key": "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
      },
    };
    expect(maskObjectPair(s, undefined).live?.metadata.annotations).toEqual({
      "kubectl.kubernetes.io/last-applied-configuration": "<masked>",
    });
    expect(maskObjectPair(undefined, cm, ["AKIAEXAMPLE"]).desired?.data).toEqual({
      "config.yaml": "accessKey: <masked>\nregion: eu",
      "tls.key": "<masked>",
    });
  });
});

describe("compareObject", () => {
  const id = { apiVersion: "apps/v1", kind: "Deployment", name: "identity", namespace: "garden" };
  it.each([
    {
      what: "equal but for server fields and status",
      live: { ...deployment(1), status: { x: 1 } },
      desired: { ...deployment(1), metadata: { ...deployment(1).metadata, ...serverFields } },
      change: undefined,
    },
    { what: "not live: created", live: undefined, desired: deployment(1), change: "create" },
    { what: "not desired: deleted", live: deployment(1), desired: undefined, change: "delete" },
    { what: "different: changed", live: deployment(1), desired: deployment(3), change: "update" },
    { what: "neither", live: undefined, desired: undefined, change: undefined },
  ])("$what", ({ live, desired, change }) => {
    expect(compareObject({ identity: id, live, desired })?.change).toBe(change);
  });

  it("a change is a unified diff of the YAML with only the changed field", () => {
    const d = compareObject({ identity: id, live: deployment(1), desired: deployment(3) });
    expect(d?.diff).toBe(
      [
        "--- live/Deployment/garden/identity",
        "+++ apply/Deployment/garden/identity",
        "@@ -6,7 +6,7 @@",
        "   name: identity",
        "   namespace: garden",
        " spec:",
        "-  replicas: 1",
        "+  replicas: 3",
        "   template:",
        "     spec:",
        "       containers:",
        "",
      ].join("\n"),
    );
  });

  it("a created object shows its whole content, Secret data masked", () => {
    const d = compareObject({
      identity: { apiVersion: "v1", kind: "Secret", name: "creds", namespace: "garden" },
      live: undefined,
      desired: secret({ password: b64("s3cret") }),
    });
    expect(d?.diff).toMatch(/^--- \/dev\/null\n\+\+\+ apply\/Secret\/garden\/creds\n@@ -0,0 \+1,\d+ @@\n/);
    expect(d?.diff).toContain("+  password: <masked>\n");
    expect(d?.diff).not.toContain(b64("s3cret"));
  });

  it("a changed Secret value is found and shown masked", () => {
    const d = compareObject({
      identity: { apiVersion: "v1", kind: "Secret", name: "creds", namespace: "garden" },
      live: secret({ password: b64("old"), user: b64("admin") }),
      desired: secret({ password: b64("new"), user: b64("admin") }),
    });
    expect(d?.change).toBe("update");
    expect(d?.diff).toContain("-  password: <masked>\n+  password: <masked, changed>\n");
    expect(d?.diff).not.toMatch(/user: <masked, changed>/);
    expect(d?.diff).not.toContain(b64("new"));
  });

  it("a change only in a masked string says so", () => {
    const cm = (v: string): KubeObject => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c" },
      data: { k: v },
    });
    const d = compareObject({
      identity: { apiVersion: "v1", kind: "ConfigMap", name: "c" },
      live: cm("key=OLDSECRET"),
      desired: cm("key=NEWSECRET"),
      sensitive: ["OLDSECRET", "NEWSECRET"],
    });
    expect(d).toMatchObject({ change: "update", note: "only masked values differ" });
    expect(d?.diff).not.toMatch(/SECRET/);
  });
});

describe("manifestDocuments and removedObjects", () => {
  const manifest = `---
# Source: x/templates/a.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: a
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: b
  namespace: other
---
# an empty document
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: r
`;
  it("reads every object of a manifest, skipping empty documents", () => {
    expect(manifestDocuments(manifest).map(identityOf)).toEqual([
      { apiVersion: "v1", kind: "ConfigMap", name: "a" },
      { apiVersion: "v1", kind: "ConfigMap", name: "b", namespace: "other" },
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", name: "r" },
    ]);
  });

  it.each([
    {
      what: "an object the new manifest lacks is removed",
      previous: [
        { apiVersion: "v1", kind: "ConfigMap", name: "a" },
        { apiVersion: "v1", kind: "ConfigMap", name: "gone" },
      ],
      next: [{ apiVersion: "v1", kind: "ConfigMap", name: "a" }],
      removed: ["gone"],
    },
    {
      what: "the release namespace named or not is the same object",
      previous: [{ apiVersion: "v1", kind: "ConfigMap", name: "a", namespace: "garden" }],
      next: [{ apiVersion: "v1", kind: "ConfigMap", name: "a" }],
      removed: [],
    },
    {
      what: "a new API version of the same object is the same object",
      previous: [{ apiVersion: "policy/v1beta1", kind: "PodDisruptionBudget", name: "p" }],
      next: [{ apiVersion: "policy/v1", kind: "PodDisruptionBudget", name: "p" }],
      removed: [],
    },
    {
      what: "the same name in another namespace is another object",
      previous: [{ apiVersion: "v1", kind: "ConfigMap", name: "a", namespace: "other" }],
      next: [{ apiVersion: "v1", kind: "ConfigMap", name: "a" }],
      removed: ["a"],
    },
  ])("$what", ({ previous, next, removed }) => {
    expect(removedObjects(previous, next, "garden").map((o) => o.name)).toEqual(removed);
  });
});

describe("withHelmOwnership", () => {
  it("adds what helm adds to every object, keeping the object's own labels and annotations", () => {
    const o = withHelmOwnership(
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "a", labels: { app: "x" }, annotations: { n: "1" } },
      },
      "garden-identity",
      "garden",
    );
    expect(o.metadata).toEqual({
      name: "a",
      labels: { app: "x", "app.kubernetes.io/managed-by": "Helm" },
      annotations: {
        n: "1",
        "meta.helm.sh/release-name": "garden-identity",
        "meta.helm.sh/release-namespace": "garden",
      },
    });
  });
});

describe("the report", () => {
  const component = (c: Partial<ComponentDiff>): ComponentDiff => ({
    name: "identity",
    target: "base",
    release: "garden-identity",
    namespace: "garden",
    action: "upgrade",
    objects: [],
    ...c,
  });
  const upd = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    name: "identity",
    namespace: "garden",
    change: "update" as const,
    diff: "--- live/x\n+++ apply/x\n@@ -1 +1 @@\n-a: 1\n+a: 2\n",
  };

  it.each([
    { what: "an upgrade that changes no object", c: component({}), changes: false },
    { what: "an upgrade with a changed object", c: component({ objects: [upd] }), changes: true },
    { what: "an install", c: component({ action: "install" }), changes: true },
    { what: "an uninstall", c: component({ action: "uninstall" }), changes: true },
    {
      what: "an upgrade that cannot be shown",
      c: component({ reason: "the virtual garden does not answer" }),
      changes: true,
    },
  ])("$what: changes $changes", ({ c, changes }) => {
    expect(componentChanges(c)).toBe(changes);
    expect(hasChanges({ catalog: "1.86", components: [c], unchanged: [] })).toBe(changes);
  });

  it("prints per component its objects with their diffs and a summary; colours only when asked", () => {
    const d: LandscapeDiff = {
      catalog: "1.86",
      components: [
        component({
          objects: [
            upd,
            { apiVersion: "v1", kind: "ConfigMap", name: "old", namespace: "garden", change: "delete" },
          ],
        }),
      ],
      unchanged: ["etcd", "cert-manager"],
    };
    expect(countChanges(d)).toEqual({ create: 0, update: 1, delete: 1 });
    expect(diffText(d, false)).toEqual([
      "=== identity: upgrade (release garden/garden-identity in the base cluster)",
      "~ Deployment garden/identity would change",
      "--- live/x",
      "+++ apply/x",
      "@@ -1 +1 @@",
      "-a: 1",
      "+a: 2",
      "- ConfigMap garden/old would be deleted",
      "1 component(s) would change: 0 object(s) created, 1 changed, 1 deleted; 2 component(s) unchanged",
    ]);
    expect(diffText(d, false).join("\n")).not.toContain("\x1b[");
    const coloured = objectDiffLines(d.components[0]?.objects ?? [], true);
    expect(coloured).toContain("\x1b[32m+a: 2\x1b[0m");
    expect(coloured).toContain("\x1b[31m-a: 1\x1b[0m");
    expect(diffText({ catalog: "1.86", components: [], unchanged: ["etcd"] }, false)).toEqual([
      "no changes: 1 component(s) unchanged",
    ]);
  });
});
