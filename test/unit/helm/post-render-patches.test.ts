import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import {
  PostRenderError,
  applyJsonPatchOp,
  applyPostRenderPatches,
  parsePointer,
  type JsonPatchOp,
  type PostRenderPatch,
} from "../../../src/helm/post-render-patches.js";

describe("applyJsonPatchOp: RFC 6902 add, replace, remove", () => {
  const ok: { name: string; doc: unknown; op: JsonPatchOp; want: unknown }[] = [
    {
      name: "add creates a member",
      doc: { a: {} },
      op: { op: "add", path: "/a/b", value: 1 },
      want: { a: { b: 1 } },
    },
    {
      name: "add replaces an existing member",
      doc: { a: { b: 1 } },
      op: { op: "add", path: "/a/b", value: { c: 2 } },
      want: { a: { b: { c: 2 } } },
    },
    {
      name: "add inserts into a list at an index",
      doc: { l: ["x", "z"] },
      op: { op: "add", path: "/l/1", value: "y" },
      want: { l: ["x", "y", "z"] },
    },
    {
      name: "add appends with -",
      doc: { l: ["x"] },
      op: { op: "add", path: "/l/-", value: "y" },
      want: { l: ["x", "y"] },
    },
    {
      name: "add appends at index = length",
      doc: { l: ["x"] },
      op: { op: "add", path: "/l/1", value: "y" },
      want: { l: ["x", "y"] },
    },
    {
      name: "replace a member",
      doc: { spec: { replicas: 1 } },
      op: { op: "replace", path: "/spec/replicas", value: 3 },
      want: { spec: { replicas: 3 } },
    },
    {
      name: "replace a list element",
      doc: { l: [{ a: 1 }, { a: 2 }] },
      op: { op: "replace", path: "/l/0/a", value: true },
      want: { l: [{ a: true }, { a: 2 }] },
    },
    {
      name: "remove a member",
      doc: { a: 1, b: 2 },
      op: { op: "remove", path: "/a" },
      want: { b: 2 },
    },
    {
      name: "remove a list element",
      doc: { l: [1, 2, 3] },
      op: { op: "remove", path: "/l/1" },
      want: { l: [1, 3] },
    },
    {
      name: "~1 stands for / and ~0 for ~",
      doc: { metadata: { annotations: { "a/b": "x", "c~d": "y" } } },
      op: { op: "replace", path: "/metadata/annotations/a~1b", value: "z" },
      want: { metadata: { annotations: { "a/b": "z", "c~d": "y" } } },
    },
    {
      name: "~01 is ~1, not /",
      doc: { "~1": 1 },
      op: { op: "replace", path: "/~01", value: 2 },
      want: { "~1": 2 },
    },
    {
      name: "the empty path replaces the whole object",
      doc: { a: 1 },
      op: { op: "replace", path: "", value: { b: 2 } },
      want: { b: 2 },
    },
    {
      name: "an empty key is a member like any other",
      doc: { "": 1 },
      op: { op: "replace", path: "/", value: 2 },
      want: { "": 2 },
    },
    {
      name: "__proto__ becomes a member, not a prototype",
      doc: {},
      op: { op: "add", path: "/__proto__", value: { polluted: true } },
      want: JSON.parse('{"__proto__":{"polluted":true}}') as unknown,
    },
  ];
  it.each(ok)("$name", ({ doc, op, want }) => {
    const out = applyJsonPatchOp(structuredClone(doc), op);
    expect(out).toStrictEqual(want);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  const failing: { name: string; doc: unknown; op: JsonPatchOp; message: RegExp }[] = [
    {
      name: "add needs the parent",
      doc: { spec: {} },
      op: { op: "add", path: "/spec/template/spec/priorityClassName", value: "p" },
      message: /add \/spec\/template\/spec\/priorityClassName: "\/spec\/template" does not exist/,
    },
    {
      name: "replace needs the member",
      doc: { spec: {} },
      op: { op: "replace", path: "/spec/replicas", value: 1 },
      message: /replace \/spec\/replicas: member "replicas" of "\/spec" does not exist/,
    },
    {
      name: "remove needs the member",
      doc: { a: 1 },
      op: { op: "remove", path: "/b" },
      message: /remove \/b: member "b" of the object does not exist/,
    },
    {
      name: "add beyond the end of a list",
      doc: { l: [1] },
      op: { op: "add", path: "/l/2", value: 1 },
      message: /index "2" is out of range for "\/l", a list of 1/,
    },
    {
      name: "replace at index = length",
      doc: { l: [1] },
      op: { op: "replace", path: "/l/1", value: 1 },
      message: /index "1" is out of range/,
    },
    {
      name: "- only appends",
      doc: { l: [1] },
      op: { op: "replace", path: "/l/-", value: 1 },
      message: /index "-" is out of range/,
    },
    {
      name: "indexes have no leading zeros",
      doc: { l: [1, 2] },
      op: { op: "remove", path: "/l/01" },
      message: /index "01" is out of range/,
    },
    {
      name: "a scalar has no members",
      doc: { a: "text" },
      op: { op: "add", path: "/a/b", value: 1 },
      message: /"\/a" is not an object or a list/,
    },
    {
      name: "a path through a scalar",
      doc: { a: "text" },
      op: { op: "add", path: "/a/b/c", value: 1 },
      message: /"\/a\/b" does not exist: its parent is not an object or a list/,
    },
    {
      name: "a pointer starts with /",
      doc: { a: 1 },
      op: { op: "replace", path: "a", value: 2 },
      message: /not a JSON pointer/,
    },
    {
      name: "~ is followed by 0 or 1",
      doc: { a: 1 },
      op: { op: "remove", path: "/a~2" },
      message: /invalid escape in "a~2"/,
    },
    {
      name: "the whole object cannot be removed",
      doc: { a: 1 },
      op: { op: "remove", path: "" },
      message: /cannot remove the whole object/,
    },
  ];
  it.each(failing)("fails: $name", ({ doc, op, message }) => {
    expect(() => applyJsonPatchOp(structuredClone(doc), op, "Thing ns/x")).toThrow(message);
    expect(() => applyJsonPatchOp(structuredClone(doc), op, "Thing ns/x")).toThrow(
      /^post-render patch of Thing ns\/x failed: /,
    );
  });

  it("copies the value, so that one patch applied to many objects shares nothing", () => {
    const op: JsonPatchOp = { op: "add", path: "/v", value: { l: [1] } };
    const a = applyJsonPatchOp({}, op) as { v: { l: number[] } };
    const b = applyJsonPatchOp({}, op) as { v: { l: number[] } };
    a.v.l.push(2);
    expect(b.v.l).toEqual([1]);
    expect(op).toEqual({ op: "add", path: "/v", value: { l: [1] } });
  });
});

describe("parsePointer", () => {
  it.each([
    ["", []],
    ["/", [""]],
    ["/a/b", ["a", "b"]],
    ["/a~1b/~0", ["a/b", "~"]],
    ["/m~0n", ["m~n"]],
  ])("%j", (pointer, want) => {
    expect(parsePointer(pointer)).toEqual(want);
  });
});

const manifests = `---
# Source: etcd/templates/statefulset.yaml
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: etcd-main   # the main etcd
  namespace: garden
spec:
  template:
    spec:
      containers:
        - name: etcd
          image: etcd:3.5
---
# Source: etcd/templates/secret.yaml
apiVersion: v1
kind: Secret
metadata:
  name: git-credentials
  namespace: flux-system
stringData:
  enabled: "yes"
  created: 2001-12-14
---
# Source: etcd/templates/secret-2.yaml
apiVersion: v1
kind: Secret
metadata:
  name: sops-gpg
  namespace: flux-system
---
# Source: etcd/templates/registration.yaml
apiVersion: core.gardener.cloud/v1beta1
kind: ControllerRegistration
metadata:
  name: provider-local
spec:
  resources:
    - kind: Extension
      type: local
---
# Source: etcd/templates/deployment.yaml
apiVersion: core.gardener.cloud/v1
kind: ControllerDeployment
metadata:
  name: provider-local
providerConfig:
  chart: H4sI
  values: {}
`;

/** The objects of a YAML stream, for comparing content. */
function objects(yaml: string): unknown[] {
  return parseAllDocuments(yaml).map((d) => (Array.isArray(d) ? d : d.toJS()) as unknown);
}

describe("applyPostRenderPatches", () => {
  const cases: { name: string; patches: PostRenderPatch[]; changed: Record<number, unknown> }[] = [
    {
      name: "priorityClassName on a StatefulSet",
      patches: [
        {
          target: { kind: "StatefulSet", name: "etcd-main" },
          patch: [{ op: "add", path: "/spec/template/spec/priorityClassName", value: "gardener-system-500" }],
        },
      ],
      changed: {
        0: {
          apiVersion: "apps/v1",
          kind: "StatefulSet",
          metadata: { name: "etcd-main", namespace: "garden" },
          spec: {
            template: {
              spec: {
                containers: [{ name: "etcd", image: "etcd:3.5" }],
                priorityClassName: "gardener-system-500",
              },
            },
          },
        },
      },
    },
    {
      name: "two Secrets moved out of flux-system",
      patches: ["git-credentials", "sops-gpg"].map((name) => ({
        target: { kind: "Secret", name, namespace: "flux-system" },
        patch: [{ op: "replace", path: "/metadata/namespace", value: "23ke-system" }],
      })),
      changed: {
        1: {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: "git-credentials", namespace: "23ke-system" },
          stringData: { enabled: "yes", created: "2001-12-14" },
        },
        2: { apiVersion: "v1", kind: "Secret", metadata: { name: "sops-gpg", namespace: "23ke-system" } },
      },
    },
    {
      name: "globallyEnabled on a ControllerRegistration, image on a ControllerDeployment",
      patches: [
        {
          target: { kind: "ControllerRegistration", apiVersion: "core.gardener.cloud/v1beta1" },
          patch: [{ op: "add", path: "/spec/resources/0/globallyEnabled", value: true }],
        },
        {
          target: { kind: "ControllerDeployment", name: "provider-local" },
          patch: [{ op: "add", path: "/providerConfig/values/image", value: { tag: "v1.2.3" } }],
        },
      ],
      changed: {
        3: {
          apiVersion: "core.gardener.cloud/v1beta1",
          kind: "ControllerRegistration",
          metadata: { name: "provider-local" },
          spec: { resources: [{ kind: "Extension", type: "local", globallyEnabled: true }] },
        },
        4: {
          apiVersion: "core.gardener.cloud/v1",
          kind: "ControllerDeployment",
          metadata: { name: "provider-local" },
          providerConfig: { chart: "H4sI", values: { image: { tag: "v1.2.3" } } },
        },
      },
    },
    {
      name: "patches apply in order, each to the result of the one before",
      patches: [
        { target: { kind: "Secret", name: "sops-gpg" }, patch: [{ op: "add", path: "/data", value: {} }] },
        {
          target: { kind: "Secret", name: "sops-gpg" },
          patch: [{ op: "add", path: "/data/k", value: "dg==" }],
        },
      ],
      changed: {
        2: {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: "sops-gpg", namespace: "flux-system" },
          data: { k: "dg==" },
        },
      },
    },
  ];
  it.each(cases)("$name", ({ patches, changed }) => {
    const out = applyPostRenderPatches(manifests, patches);
    const want = objects(manifests).map((o, i) => (i in changed ? changed[i] : o));
    expect(objects(out)).toEqual(want);
  });

  const noMatch: { name: string; target: PostRenderPatch["target"] }[] = [
    { name: "another kind", target: { kind: "Deployment" } },
    { name: "another name", target: { kind: "StatefulSet", name: "etcd-events" } },
    { name: "another namespace", target: { kind: "Secret", namespace: "garden" } },
    {
      name: "another apiVersion",
      target: { kind: "ControllerDeployment", apiVersion: "core.gardener.cloud/v1beta1" },
    },
    {
      name: "a namespace for an object rendered without one",
      target: { kind: "ControllerRegistration", namespace: "garden" },
    },
    { name: "kind is case-sensitive", target: { kind: "statefulset" } },
  ];
  it.each(noMatch)("a target that matches nothing changes nothing: $name", ({ target }) => {
    // The op would fail on any object: it is never tried.
    const patches: PostRenderPatch[] = [{ target, patch: [{ op: "remove", path: "/does/not/exist" }] }];
    expect(applyPostRenderPatches(manifests, patches)).toBe(manifests);
  });

  it("copies documents that no patch targets byte for byte, and keeps the # Source lines", () => {
    const out = applyPostRenderPatches(manifests, [
      { target: { kind: "Secret", name: "git-credentials" }, patch: [{ op: "remove", path: "/stringData" }] },
    ]);
    const parts = out.split(/^---\n/m);
    const before = manifests.split(/^---\n/m);
    expect(parts).toHaveLength(before.length);
    for (const i of [0, 1, 3, 4, 5]) expect(parts[i]).toBe(before[i]);
    expect(parts[2]).toBe(
      "# Source: etcd/templates/secret.yaml\napiVersion: v1\nkind: Secret\nmetadata:\n  name: git-credentials\n  namespace: flux-system\n",
    );
  });

  it("writes a patched document in Go's YAML dialect: strings stay strings", () => {
    const out = applyPostRenderPatches(manifests, [
      {
        target: { kind: "Secret", name: "git-credentials" },
        patch: [{ op: "add", path: "/stringData/on", value: "on" }],
      },
    ]);
    expect(out).toContain('  enabled: "yes"\n');
    expect(out).toContain('  "on": "on"\n');
    // Go reads an unquoted date into a string; it must stay one, not become a timestamp.
    expect(out).toContain("  created: 2001-12-14\n");
  });

  it("keeps the document end marker and text after the last document", () => {
    const src = "kind: A\nmetadata:\n  name: a\n...\n# trailing\n";
    const out = applyPostRenderPatches(src, [
      { target: { kind: "A" }, patch: [{ op: "add", path: "/x", value: 1 }] },
    ]);
    expect(out).toBe("kind: A\nmetadata:\n  name: a\nx: 1\n...\n# trailing\n");
  });

  it.each([
    ["no patches", [] as PostRenderPatch[]],
    ["a patch without ops", [{ target: { kind: "Deployment" }, patch: [] }]],
  ])("changes nothing with %s", (_name, patches) => {
    expect(applyPostRenderPatches(manifests, patches)).toBe(manifests);
  });

  it("passes through an empty stream", () => {
    expect(applyPostRenderPatches("", [{ target: { kind: "A" }, patch: [] }])).toBe("");
    expect(applyPostRenderPatches("---\n", [{ target: { kind: "A" }, patch: [] }])).toBe("---\n");
  });

  it("names the object, the op and the path when an op cannot apply", () => {
    const patches: PostRenderPatch[] = [
      {
        target: { kind: "StatefulSet" },
        patch: [{ op: "replace", path: "/spec/template/spec/priorityClassName", value: "secret-value" }],
      },
    ];
    let err: unknown;
    try {
      applyPostRenderPatches(manifests, patches);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PostRenderError);
    const e = err as PostRenderError;
    expect(e.message).toBe(
      'post-render patch of StatefulSet garden/etcd-main failed: replace /spec/template/spec/priorityClassName: member "priorityClassName" of "/spec/template/spec" does not exist',
    );
    expect(e.reason).toBe("PostRenderPatchFailed");
    expect(e.object).toBe("StatefulSet garden/etcd-main");
    expect(e.message).not.toContain("secret-value");
  });

  it("names a cluster-scoped object without a namespace", () => {
    expect(() =>
      applyPostRenderPatches(manifests, [
        {
          target: { kind: "ControllerRegistration" },
          patch: [{ op: "add", path: "/spec/resources/5/x", value: 1 }],
        },
      ]),
    ).toThrow(
      /^post-render patch of ControllerRegistration provider-local failed: add \/spec\/resources\/5\/x: /,
    );
  });

  it("refuses input that is not YAML, without quoting it", () => {
    const input = "kind: A\n---\nkind: Secret\ndata: [s3cr3t\n";
    expect(() => applyPostRenderPatches(input, [{ target: { kind: "Secret" }, patch: [] }])).toThrow(
      /^post-render input document 2 is not valid YAML: [A-Z_]+ at line \d+, column \d+$/,
    );
  });

  it("copies a document it does not patch as it is, even one the yaml package finds fault with", () => {
    // As upstream CRDs render: a multi-line single-quoted string indented like its key.
    const crd =
      "kind: CustomResourceDefinition\nmetadata:\n  name: x\nspec:\n  d:\n    description: 'one\n    two'\n";
    const input = `${crd}---\nkind: A\nmetadata:\n  name: a\n`;
    const out = applyPostRenderPatches(input, [
      { target: { kind: "A" }, patch: [{ op: "add", path: "/spec", value: { x: 1 } }] },
    ]);
    expect(out.startsWith(crd)).toBe(true);
    expect(out).toContain("x: 1");
  });

  it("reads its own output", () => {
    const out = applyPostRenderPatches(
      manifests,
      cases.flatMap((c) => c.patches),
    );
    expect(parse(out.split(/^---\n/m)[1] ?? "")).toMatchObject({ kind: "StatefulSet" });
  });
});
