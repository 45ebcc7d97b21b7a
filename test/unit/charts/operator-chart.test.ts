/**
 * The operator's chart through the real helm (tools/testenv/bin/helm): it lints, its schema
 * refuses bad values naming the key, and what it renders is what the operator needs to run as
 * the issue asks: two replicas of `23ke run --landscape NAME --in-cluster`, the pod's name from
 * the downward API, non-root with a read-only root filesystem and emptyDirs for /tmp and the
 * cache, requests, probes on /healthz and /readyz, a Service for metrics and the webhook, and a
 * ClusterRole bound to the ServiceAccount.
 */
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/kube/client.js";
import { lintOperatorChart, renderOperatorChart } from "../../support/operator-chart.js";

interface Container {
  args: string[];
  image: string;
  env: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  ports: { name: string; containerPort: number }[];
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  resources: { requests?: Record<string, string> };
  securityContext: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
  volumeMounts: { name: string; mountPath: string }[];
}

interface Deployment extends KubeObject {
  spec: {
    replicas: number;
    template: {
      spec: {
        serviceAccountName: string;
        securityContext: { runAsNonRoot?: boolean; runAsUser?: number };
        containers: Container[];
        volumes: { name: string; emptyDir?: object }[];
      };
    };
  };
}

function find<T extends KubeObject>(objects: KubeObject[], kind: string): T {
  const o = objects.find((x) => x.kind === kind);
  if (o === undefined) throw new Error(`no ${kind} rendered`);
  return o as T;
}

function container(objects: KubeObject[]): Container {
  const c = find<Deployment>(objects, "Deployment").spec.template.spec.containers[0];
  if (c === undefined) throw new Error("the Deployment has no container");
  return c;
}

/** The value after `flag` in an argument list. */
function arg(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i < 0 ? undefined : args[i + 1];
}

describe("charts/23ke-operator", () => {
  it("lints strictly with its defaults", async () => {
    const r = await lintOperatorChart();
    expect(r.stderr + r.stdout).toContain("0 chart(s) failed");
    expect(r.code).toBe(0);
  });

  it.each([
    { set: { replicas: "-1" }, want: "at '/replicas'" },
    { set: { "landscape.name": "Not_A_Name" }, want: "at '/landscape/name'" },
    { set: { "metrics.port": "70000" }, want: "at '/metrics/port'" },
    { set: { "image.digest": "latest" }, want: "at '/image/digest'" },
    { set: { "image.pullPolicy": "Sometimes" }, want: "at '/image/pullPolicy'" },
    { set: { replica: "3" }, want: "additional properties 'replica' not allowed" },
  ])("refuses $set, naming the key", async ({ set, want }) => {
    const r = await lintOperatorChart(set);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain(want);
  });

  it("runs two replicas of `23ke run --landscape NAME --in-cluster` in the release namespace", async () => {
    const objects = await renderOperatorChart({ namespace: "lsys", set: { "landscape.name": "prod" } });
    const d = find<Deployment>(objects, "Deployment");
    expect(d.metadata.namespace).toBe("lsys");
    expect(d.spec.replicas).toBe(2);
    const c = container(objects);
    expect(c.args[0]).toBe("run");
    expect(arg(c.args, "--landscape")).toBe("prod");
    expect(c.args).toContain("--in-cluster");
    expect(arg(c.args, "--system-namespace")).toBe("lsys");
    expect(arg(c.args, "--metrics-address")).toBe("0.0.0.0:8080");
    expect(c.env.find((e) => e.name === "POD_NAME")?.valueFrom?.fieldRef?.fieldPath).toBe("metadata.name");
    expect(c.image).toBe("ghcr.io/23ke/23ke:0.1.0");
  });

  it("runs non-root on a read-only root filesystem, with emptyDirs for /tmp and the cache", async () => {
    const objects = await renderOperatorChart();
    const pod = find<Deployment>(objects, "Deployment").spec.template.spec;
    const c = container(objects);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).toBe(10023);
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
    const cache = c.env.find((e) => e.name === "XDG_CACHE_HOME")?.value;
    const mounted = Object.fromEntries(c.volumeMounts.map((m) => [m.mountPath, m.name]));
    expect(Object.keys(mounted).sort()).toEqual(["/tmp", cache].sort());
    const emptyDirs = pod.volumes.filter((v) => v.emptyDir !== undefined).map((v) => v.name);
    expect(emptyDirs.sort()).toEqual(Object.values(mounted).sort());
    expect(c.resources.requests).toEqual({ cpu: "100m", memory: "256Mi" });
  });

  it("probes /healthz and /readyz, serves metrics and, with a secret, the webhook through a Service", async () => {
    const plain = await renderOperatorChart();
    expect(container(plain).args).not.toContain("--webhook-address");
    expect(container(plain).ports.map((p) => p.name)).toEqual(["metrics"]);
    const objects = await renderOperatorChart({ set: { "webhook.port": "9999", "webhook.secretName": "hook" } });
    expect(arg(container(objects).args, "--webhook-address")).toBe("0.0.0.0:9999");
    expect(arg(container(objects).args, "--webhook-secret")).toBe("hook");
    const c = container(objects);
    expect(c.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "metrics" });
    expect(c.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "metrics" });
    expect(c.ports).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "metrics", containerPort: 8080 }),
        expect.objectContaining({ name: "webhook", containerPort: 9999 }),
      ]),
    );
    const svc = find<KubeObject & { spec: { ports: { name: string; port: number; targetPort: string }[] } }>(
      objects,
      "Service",
    );
    expect(svc.spec.ports.map((p) => [p.name, p.port, p.targetPort])).toEqual([
      ["metrics", 8080, "metrics"],
      ["webhook", 9999, "webhook"],
    ]);
  });

  it("binds a ClusterRole to its ServiceAccount; an image digest pins the image", async () => {
    const objects = await renderOperatorChart({
      release: "ops",
      namespace: "lsys",
      set: { "image.digest": `sha256:${"a".repeat(64)}` },
    });
    const sa = find(objects, "ServiceAccount");
    const role = find(objects, "ClusterRole");
    const binding = find<KubeObject & { roleRef: { name: string }; subjects: object[] }>(
      objects,
      "ClusterRoleBinding",
    );
    expect(binding.roleRef.name).toBe(role.metadata.name);
    expect(role.metadata.name).toContain("lsys");
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: sa.metadata.name, namespace: "lsys" }]);
    expect(find<Deployment>(objects, "Deployment").spec.template.spec.serviceAccountName).toBe(sa.metadata.name);
    expect(container(objects).image).toBe(`ghcr.io/23ke/23ke@sha256:${"a".repeat(64)}`);
  });

  it("binds a ClusterRole of the user's own when asked not to create one", async () => {
    const objects = await renderOperatorChart({ set: { "rbac.create": "false", "rbac.clusterRoleName": "mine" } });
    expect(objects.some((o) => o.kind === "ClusterRole")).toBe(false);
    expect(find<KubeObject & { roleRef: { name: string } }>(objects, "ClusterRoleBinding").roleRef.name).toBe("mine");
  });
});
