/**
 * The comparison of a live object with its release's manifest (src/drift/owned-fields.ts): only
 * what the manifest sets is compared, defaults and other managers' fields are not drift, paths
 * are JSON pointers and never carry values.
 */
import { describe, expect, it } from "vitest";
import { driftPolicy } from "../../../src/drift/drift-settings.js";
import {
  fieldDrift,
  formatPointer,
  parseIgnoreRule,
  quantity,
  type IgnoreRule,
  type ObjectDoc,
} from "../../../src/drift/owned-fields.js";

const deployment = (): ObjectDoc => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "identity", labels: { app: "identity", "app.kubernetes.io/name": "identity" } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "identity" } },
    template: {
      metadata: { labels: { app: "identity" } },
      spec: {
        containers: [
          {
            name: "dex",
            image: "dex:2.37",
            args: ["serve", "/etc/dex/config.yaml"],
            ports: [{ containerPort: 5556, name: "http" }],
            resources: { requests: { cpu: "100m", memory: "1Gi" }, limits: { cpu: 1 } },
            volumeMounts: [{ name: "config", mountPath: "/etc/dex" }],
          },
        ],
        volumes: [{ name: "config", configMap: { name: "identity", defaultMode: 420 } }],
        hostNetwork: false,
        nodeSelector: {},
      },
    },
  },
});

interface Container {
  name: string;
  image: string;
  args: string[];
  ports: Record<string, unknown>[];
  resources: { requests: Record<string, string>; limits?: Record<string, string> };
  volumeMounts: unknown[];
  [k: string]: unknown;
}
interface Live extends ObjectDoc {
  metadata: { labels?: Record<string, string>; [k: string]: unknown };
  spec: {
    replicas: number;
    template: { spec: { containers: Container[]; hostNetwork?: boolean; [k: string]: unknown } };
    [k: string]: unknown;
  };
}

/** The same Deployment as the apiserver returns it: defaults, metadata noise, status, others' fields. */
const liveDeployment = (): Live => {
  const live = structuredClone(deployment()) as Live;
  live.metadata = {
    ...live.metadata,
    namespace: "garden",
    uid: "u-1",
    resourceVersion: "42",
    generation: 3,
    managedFields: [{ manager: "helm", operation: "Apply" }],
    annotations: { "deployment.kubernetes.io/revision": "1", "meta.helm.sh/release-name": "garden-identity" },
    labels: { ...(live.metadata.labels ?? {}), "app.kubernetes.io/managed-by": "Helm" },
  };
  const c = live.spec.template.spec.containers[0] as Container;
  c.imagePullPolicy = "IfNotPresent";
  c.terminationMessagePath = "/dev/termination-log";
  (c.ports[0] as Record<string, unknown>).protocol = "TCP";
  c.resources = { requests: { cpu: "100m", memory: "1Gi" }, limits: { cpu: "1" } };
  live.spec.template.spec.containers.push({ name: "sidecar", image: "injected:1" } as Container);
  delete live.spec.template.spec.hostNetwork;
  delete live.spec.template.spec.nodeSelector;
  live.spec.template.spec.restartPolicy = "Always";
  live.spec.strategy = { type: "RollingUpdate" };
  live.spec.revisionHistoryLimit = 10;
  live.status = { replicas: 2, availableReplicas: 2 };
  return live;
};

const secret = (data: Record<string, string>, stringData?: Record<string, string>): ObjectDoc => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "s" },
  type: "Opaque",
  data,
  ...(stringData === undefined ? {} : { stringData }),
});
const b64 = (s: string): string => Buffer.from(s).toString("base64");

type Edit = (live: Live) => void;
const container = (l: Live): Container => l.spec.template.spec.containers[0] as Container;
const labels = (l: Live): Record<string, string> => l.metadata.labels ?? {};

describe("fieldDrift of a Deployment", () => {
  const rows: [string, Edit, string[], IgnoreRule[]?][] = [
    ["unchanged: defaults, status, metadata noise and a sidecar are not drift", () => {}, []],
    ["scaled by hand", (l) => (l.spec.replicas = 5), ["/spec/replicas"]],
    [
      "a label removed",
      (l) => delete labels(l)["app.kubernetes.io/name"],
      ["/metadata/labels/app.kubernetes.io~1name"],
    ],
    [
      "all labels removed",
      (l) => delete l.metadata.labels,
      ["/metadata/labels/app", "/metadata/labels/app.kubernetes.io~1name"],
    ],
    ["a label added by someone else is not drift", (l) => (labels(l).extra = "x"), []],
    [
      "an image changed",
      (l) => (container(l).image = "dex:evil"),
      ["/spec/template/spec/containers/0/image"],
    ],
    [
      "containers reordered (matched by name) is not drift",
      (l) => l.spec.template.spec.containers.reverse(),
      [],
    ],
    [
      "an argument list changed (atomic)",
      (l) => container(l).args.push("--debug"),
      ["/spec/template/spec/containers/0/args"],
    ],
    [
      "a volume mount removed",
      (l) => (container(l).volumeMounts = []),
      ["/spec/template/spec/containers/0/volumeMounts/0"],
    ],
    [
      "a quantity written another way is not drift",
      (l) => (container(l).resources.requests = { cpu: "0.1", memory: "1024Mi" }),
      [],
    ],
    [
      "a quantity changed",
      (l) => (container(l).resources.requests.memory = "2Gi"),
      ["/spec/template/spec/containers/0/resources/requests/memory"],
    ],
    [
      "a zero value set by someone else",
      (l) => (l.spec.template.spec.hostNetwork = true),
      ["/spec/template/spec/hostNetwork"],
    ],
    ["ignored for every object", (l) => (l.spec.replicas = 5), [], [{ segments: ["spec", "replicas"] }]],
    [
      "ignored for this kind and name",
      (l) => (l.spec.replicas = 5),
      [],
      [parseIgnoreRule("Deployment/identity:/spec/replicas") as IgnoreRule],
    ],
    [
      "an ignore rule of another object does not apply",
      (l) => (l.spec.replicas = 5),
      ["/spec/replicas"],
      [parseIgnoreRule("Deployment/other:/spec/replicas") as IgnoreRule],
    ],
    [
      "a wildcard covers every container",
      (l) => (container(l).image = "dex:mirror"),
      [],
      [parseIgnoreRule("/spec/template/spec/containers/*/image") as IgnoreRule],
    ],
  ];

  it.each(rows)("%s", (_, edit, paths, rules) => {
    const live = liveDeployment();
    edit(live);
    expect(fieldDrift(deployment(), live, rules ?? []).paths.sort()).toEqual(paths.sort());
  });

  it("keeps the live value of an ignored difference for the correction", () => {
    const live = liveDeployment();
    live.spec.replicas = 7;
    const d = fieldDrift(deployment(), live, [{ segments: ["spec", "replicas"] }]);
    expect(d).toEqual({ paths: [], ignored: [{ segments: ["spec", "replicas"], live: 7 }] });
  });
});

describe("fieldDrift of ConfigMaps and Secrets", () => {
  const cm = (data: Record<string, string>): ObjectDoc => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "c" },
    data,
  });
  it.each([
    ["same data", cm({ a: "1", b: "" }), cm({ a: "1", b: "" }), []],
    ["a value edited", cm({ a: "1" }), cm({ a: "2" }), ["/data/a"]],
    ["a key removed", cm({ a: "1", b: "2" }), cm({ a: "1" }), ["/data/b"]],
    ["a key added by someone else", cm({ a: "1" }), cm({ a: "1", z: "9" }), []],
    ["Secret data unchanged", secret({ k: b64("v") }), secret({ k: b64("v") }), []],
    ["Secret stringData as stored in data", secret({}, { k: "v" }), secret({ k: b64("v") }), []],
    ["Secret data changed", secret({ k: b64("v") }), secret({ k: b64("other") }), ["/data/k"]],
    ["Secret stringData changed", secret({}, { k: "v" }), secret({ k: b64("w") }), ["/data/k"]],
  ] as [string, ObjectDoc, ObjectDoc, string[]][])("%s", (_, manifest, live, paths) => {
    expect(fieldDrift(manifest, live).paths).toEqual(paths);
  });

  it("never carries a Secret's value in what it reports", () => {
    const d = fieldDrift(secret({ k: b64("topsecret") }), secret({ k: b64("changed-secret") }));
    expect(JSON.stringify(d.paths)).not.toMatch(/secret|dG9w/i);
  });

  it("ignores the token and kubeconfig the TokenRequestor writes into a Secret labelled for it", () => {
    const m = secret({ kubeconfig: b64("seed") });
    const requestor = {
      ...m,
      metadata: { name: "s", labels: { "resources.gardener.cloud/purpose": "token-requestor" } },
    };
    const live = {
      ...secret({ kubeconfig: b64("with-token"), token: b64("t") }),
      metadata: requestor.metadata,
    };
    expect(fieldDrift(requestor, live).paths).toEqual([]);
    expect(fieldDrift(m, live).paths).toEqual(["/data/kubeconfig"]);
  });

  it("ignores the CA bundle cainjector writes into webhook configurations", () => {
    const m: ObjectDoc = {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingWebhookConfiguration",
      metadata: { name: "w" },
      webhooks: [{ name: "a", clientConfig: { caBundle: "" } }],
    };
    const l = { ...m, webhooks: [{ name: "a", clientConfig: { caBundle: "LS0t" } }] };
    expect(fieldDrift(m, l).paths).toEqual([]);
  });
});

describe("paths and settings", () => {
  it.each([
    ["/spec/replicas", { segments: ["spec", "replicas"] }],
    ["Deployment:/spec/replicas", { kind: "Deployment", segments: ["spec", "replicas"] }],
    ["ConfigMap/a.b-c:/data/x~1y", { kind: "ConfigMap", name: "a.b-c", segments: ["data", "x/y"] }],
    ["spec/replicas", undefined],
    ["Deployment/Bad_Name:/x", undefined],
  ])("parses %s", (text, rule) => {
    expect(parseIgnoreRule(text)).toEqual(rule);
  });

  it("formats JSON pointers with escapes", () => {
    expect(formatPointer(["metadata", "labels", "a/b~c"])).toBe("/metadata/labels/a~1b~0c");
  });

  it.each([
    ["100m", 0.1],
    ["1Gi", 2 ** 30],
    ["1e3", 1000],
    ["2k", 2000],
    ["x", undefined],
  ])("quantity %s", (q, v) => {
    expect(quantity(q)).toBe(v);
  });

  it("takes a component's mode and rules, else the default", () => {
    const s = {
      default: "detect" as const,
      components: { identity: { mode: "correct" as const, ignore: ["/spec/replicas"] } },
    };
    expect(driftPolicy(s, "identity")).toEqual({
      mode: "correct",
      rules: [{ segments: ["spec", "replicas"] }],
    });
    expect(driftPolicy(s, "etcd")).toEqual({ mode: "detect", rules: [] });
    expect(driftPolicy(undefined, "etcd")).toEqual({ mode: "correct", rules: [] });
  });
});
