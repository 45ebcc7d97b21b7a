/**
 * Base cluster facts against a real apiserver of its own (the shared one must not gain VPA CRDs
 * in the middle of other tests): `baseCluster.vpa: install` installs the CRDs with 23ke's
 * vpa-crds chart through the real helm, VerticalPodAutoscalers of v1 and v1beta2 are then
 * accepted, `auto` sees them, the CRDs survive an uninstall; the virtual garden's ClusterIP
 * lies in the cluster's Service range and stays the same across passes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  VPA_CRD,
  ipv4ToInt,
  parseConfigLayers,
  runConfigurationStage,
  type ConfigLayer,
} from "../../src/config/index.js";
import { startEnvironment, type Environment } from "../../tools/devenv/src/environment.js";
import { HelmDriver } from "../../src/helm/helm-driver.js";
import type { KubeClient, KubeObject } from "../../src/kube/client.js";
import { waitFor } from "../../src/util/wait.js";
import { MINIMAL_CONFIG } from "../support/config-text.js";
import { testEnv } from "../support/env.js";

const root = path.resolve(import.meta.dirname, "..", "..");
const NS = "23ke-system";

function layers(extra: string): ConfigLayer[] {
  const r = parseConfigLayers([MINIMAL_CONFIG, extra].map((text, i) => ({ name: `l${i}`, text })));
  expect(r.problems).toEqual([]);
  return r.layers;
}

async function baseValues(c: KubeClient, component: string): Promise<Record<string, unknown>> {
  const s = await c.get<KubeObject & { data?: Record<string, string> }>(
    "v1",
    "Secret",
    `${component}-base-values`,
    NS,
  );
  return parse(Buffer.from(s?.data?.["values.yaml"] ?? "", "base64").toString("utf8")) as Record<
    string,
    unknown
  >;
}

let dir: string;
let env: Environment;
let client: KubeClient;
let helm: HelmDriver;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "23ke-facts-"));
  env = await startEnvironment({ dir, binDir: testEnv().binDir, nodes: 0, virtual: false });
  client = env.base.client;
  helm = new HelmDriver({ helm: env.helm, env: env.helmEnv });
}, 60_000);

afterAll(async () => {
  await env.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("base cluster facts", () => {
  it("vpa: install installs the CRDs through the vpa-crds chart; auto then finds them; they outlive the release", async () => {
    const before = await runConfigurationStage(client, {
      namespace: NS,
      configLayers: layers("baseCluster:\n  vpa: auto\n"),
    });
    expect(before.cluster).toMatchObject({ vpa: false, installVpaCrds: false });
    expect(await baseValues(client, "external-dns-management")).toMatchObject({
      "external-dns-management": { vpa: { enabled: false } },
    });

    const install = await runConfigurationStage(client, {
      namespace: NS,
      configLayers: layers("baseCluster:\n  vpa: install\n"),
    });
    expect(install.cluster).toMatchObject({ vpa: true, installVpaCrds: true });
    expect(await baseValues(client, "gardener")).toMatchObject({ global: { apiserver: { vpa: true } } });

    const target = { release: `${NS}-vpa-crds`, namespace: NS, kubeconfig: env.base.kubeconfigPath };
    await helm.upgradeInstall({
      ...target,
      chart: path.join(root, "charts", "vpa-crds"),
      values: {},
      timeoutMs: 60_000,
    });
    await waitFor(
      async () => {
        const crd = await client.get<
          KubeObject & { status?: { conditions?: { type: string; status: string }[] } }
        >("apiextensions.k8s.io/v1", "CustomResourceDefinition", VPA_CRD);
        const ok =
          crd?.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") === true;
        return ok ? { done: true, value: true } : { done: false, observation: "not established" };
      },
      { timeoutMs: 30_000, what: `CRD ${VPA_CRD} established` },
    );
    client.forgetDiscovery();
    for (const version of ["v1", "v1beta2"]) {
      await client.apply(
        {
          apiVersion: `autoscaling.k8s.io/${version}`,
          kind: "VerticalPodAutoscaler",
          metadata: { name: `probe-${version}`, namespace: NS },
          spec: {
            targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "x" },
            updatePolicy: { updateMode: "Auto" },
          },
        },
        "23ke-test",
      );
    }
    // The CRDs are ours now: install keeps managing them; auto uses them.
    const again = await runConfigurationStage(client, {
      namespace: NS,
      configLayers: layers("baseCluster:\n  vpa: install\n"),
    });
    expect(again.cluster).toMatchObject({ vpa: true, installVpaCrds: true });
    const auto = await runConfigurationStage(client, {
      namespace: NS,
      configLayers: layers("baseCluster:\n  vpa: auto\n"),
    });
    expect(auto.cluster).toMatchObject({ vpa: true, installVpaCrds: false });
    expect(await baseValues(client, "external-dns-management")).toMatchObject({
      "external-dns-management": { vpa: { enabled: true } },
    });

    // Uninstalling the release (vpa: install → auto prunes vpa-crds) keeps the CRDs and the VPAs.
    expect(await helm.uninstall(target, 60_000)).toBe(true);
    expect(await client.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", VPA_CRD)).toBeDefined();
    expect(await client.get("autoscaling.k8s.io/v1", "VerticalPodAutoscaler", "probe-v1", NS)).toBeDefined();
  });

  it("finds a free ClusterIP in the Service range and keeps it across passes", async () => {
    const l = layers("");
    const first = await runConfigurationStage(client, { namespace: NS, configLayers: l });
    const ip = first.cluster.virtualGardenClusterIP;
    const cidr = (
      await client.list<KubeObject & { spec?: { cidrs?: string[] } }>("networking.k8s.io/v1", "ServiceCIDR")
    ).flatMap((o) => o.spec?.cidrs ?? [])[0];
    expect(cidr).toBeDefined();
    const [base, bits] = (cidr ?? "").split("/");
    const n = ipv4ToInt(ip) ?? -1;
    const b = ipv4ToInt(base ?? "") ?? -2;
    expect(n).toBe(b + 100);
    expect(n).toBeLessThan(b + 2 ** (32 - Number(bits)));
    expect(await baseValues(client, "gardener")).toMatchObject({
      global: { deployment: { virtualGarden: { clusterIP: ip } } },
    });

    // The controlplane chart creates the Service with that address; later passes keep it, even
    // when base + 100 would be free or another Service took a lower address meanwhile.
    await client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "garden" } }, "23ke-test");
    await client.apply(
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "gardener-apiserver", namespace: "garden" },
        spec: { clusterIP: ip, ports: [{ port: 443 }] },
      },
      "23ke-test",
    );
    const second = await runConfigurationStage(client, { namespace: NS, configLayers: l });
    expect(second.cluster.virtualGardenClusterIP).toBe(ip);
    expect(second.written).toEqual([]);

    // Set in the config, it wins.
    const set = await runConfigurationStage(client, {
      namespace: NS,
      configLayers: layers("baseCluster:\n  virtualGardenClusterIP: 10.0.0.42\n"),
    });
    expect(set.cluster.virtualGardenClusterIP).toBe("10.0.0.42");
  });
});
