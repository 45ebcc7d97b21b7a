/**
 * Upgrading a chart-based landscape from catalog 1.86 to 1.87 in the local environment, with the
 * built `23ke` as a user runs it, and no manual step (ADR 0016). The stand-in charts of 1.87's
 * versions carry the changes that made 23KE upgrades manual: cert-management 0.12.0's crds/ has a
 * changed Certificate CRD, the PriorityClass gardener-system-critical moves from the gardenlet
 * release to the controlplane's runtime release, the component internal-gardenlet is renamed
 * gardenlet (release garden-internal-gardenlet → garden-gardenlet), and etcd 6.1.0's StatefulSets
 * select their pods by other labels. `plan` names each before the apply; after it every component
 * is Ready, the moved object and the renamed release's objects kept their uid, the old release's
 * records are gone, the StatefulSet has the new selector and its claim survived, the CRD has the
 * new field. A skipped minor and a downgrade are refused.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeClient, KubeObject } from "../../src/kube/client.js";
import { StatusStore } from "../../src/reconcile/status-store.js";
import { projectRoot } from "../../tools/devenv/src/environment.js";
import { clusterArgs, startLandscapeEnv, type LandscapeEnv } from "../support/landscape-env.js";
import { runCli, type CliRun } from "../support/run-cli.js";

const config = path.join(projectRoot, "examples", "23ke-config-minimal.yaml");
let landscape: LandscapeEnv;
let base: KubeClient;

function cli(args: string[]): Promise<CliRun> {
  return runCli(args, landscape.env.helmEnv);
}
const apply = (catalog: string): Promise<CliRun> =>
  cli(["apply", "-f", config, "--catalog", catalog, ...clusterArgs(landscape)]);
const plan = (catalog: string, ...more: string[]): Promise<CliRun> =>
  cli(["plan", "-f", config, "--catalog", catalog, ...clusterArgs(landscape), ...more]);

type Meta = KubeObject & {
  metadata: {
    uid?: string;
    annotations?: Record<string, string>;
    ownerReferences?: { uid: string; kind: string; name: string }[];
  };
};
type StatefulSet = Meta & { spec: { selector: { matchLabels: Record<string, string> } } };
type Crd = Meta & {
  spec: {
    versions: {
      name: string;
      schema?: { openAPIV3Schema?: { properties?: { spec?: { properties?: Record<string, unknown> } } } };
    }[];
  };
};

async function mustGet<T extends KubeObject>(
  apiVersion: string,
  kind: string,
  name: string,
  namespace?: string,
): Promise<T> {
  const o = await base.get<T>(apiVersion, kind, name, namespace);
  if (o === undefined) throw new Error(`${kind} ${namespace ?? ""}/${name} does not exist`);
  return o;
}

async function helmRecords(release: string): Promise<string[]> {
  return (await base.list("v1", "Secret", "garden", `owner=helm,name=${release}`)).map(
    (s) => s.metadata.name,
  );
}

function certificateSpecFields(crd: Crd): string[] {
  return Object.keys(crd.spec.versions[0]?.schema?.openAPIV3Schema?.properties?.spec?.properties ?? {});
}

beforeAll(async () => {
  landscape = await startLandscapeEnv("chart-upgrade", { nodes: 1 });
  base = landscape.env.base.client;
}, 120_000);

afterAll(async () => {
  await landscape?.stop();
});

describe("upgrading the chart-based flavour 1.86 → 1.87", () => {
  it("carries out every migration without a manual step, shows each in the plan first, and keeps the version-skew rules", async () => {
    const installed = await apply("1.86");
    expect(installed.code, installed.stdout + installed.stderr).toBe(0);

    // What 1.86 left: the PriorityClass owned by the gardenlet's release, etcd's old selector,
    // and the CRD without the new field.
    const pc = await mustGet<Meta>("scheduling.k8s.io/v1", "PriorityClass", "gardener-system-critical");
    expect(pc.metadata.annotations?.["meta.helm.sh/release-name"]).toBe("garden-internal-gardenlet");
    const gardenlet = await mustGet<Meta>("apps/v1", "Deployment", "gardenlet", "garden");
    const etcd = await mustGet<StatefulSet>("apps/v1", "StatefulSet", "etcd", "garden");
    expect(etcd.spec.selector.matchLabels).toEqual({ app: "etcd", component: "etcd" });
    expect(
      certificateSpecFields(
        await mustGet<Crd>(
          "apiextensions.k8s.io/v1",
          "CustomResourceDefinition",
          "certificates.cert.gardener.cloud",
        ),
      ),
    ).not.toContain("privateKey");
    // The stand-in's StatefulSet has no volumeClaimTemplates (no storage provisioner here): the
    // claim its controller makes under persistentVolumeClaimRetentionPolicy.whenDeleted Delete,
    // owned by the StatefulSet, is made here. A delete of the StatefulSet that is not an orphan
    // delete takes it along (garbage collection).
    const claim = await base.create<Meta>({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: {
        name: "virtual-garden-etcd-etcd-0",
        namespace: "garden",
        ownerReferences: [
          {
            apiVersion: "apps/v1",
            kind: "StatefulSet",
            name: "etcd",
            uid: etcd.metadata.uid ?? "",
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } },
    });
    expect(claim?.metadata.uid).toBeDefined();

    // A skipped minor is refused before anything changes.
    const skip = await apply("1.149");
    expect(skip.code).not.toBe(0);
    expect(skip.stdout + skip.stderr).toContain(
      "skipping minor versions is not supported; upgrade one minor at a time: 1.87 → 1.88",
    );
    const store = new StatusStore(base, "23ke-system");
    expect(await store.readCatalog()).toBe("1.86");

    // The plan names every migration before the apply, in text and as JSON.
    const text = await plan("1.87");
    expect(text.code, text.stderr).toBe(0);
    const wanted = [
      "object PriorityClass gardener-system-critical moves from release garden/garden-internal-gardenlet to garden/garden-gardener-runtime (adopted, not recreated)",
      "release garden/garden-internal-gardenlet → garden/garden-gardenlet renamed (component internal-gardenlet → gardenlet)",
      "CRD certificates.cert.gardener.cloud updated from crds/ of cert-management 0.12.0",
      "StatefulSet garden/etcd recreated (selector changed; pods and PVCs kept)",
      "StatefulSet garden/etcd-events recreated (selector changed; pods and PVCs kept)",
    ];
    expect(text.stdout).toContain("Upgrade migrations of catalog 1.87, in the order the apply does them:");
    for (const w of wanted) expect(text.stdout).toContain(w);
    // Only the Certificate CRD changed; the others of crds/ are not listed.
    expect(text.stdout).not.toContain("CRD issuers.cert.gardener.cloud");
    const json = await plan("1.87", "--output", "json");
    const doc = JSON.parse(json.stdout) as {
      migrations?: string[];
      components: { name: string; action?: string; reason?: string }[];
    };
    expect(doc.migrations).toHaveLength(wanted.length);
    for (const [i, w] of wanted.entries()) expect(doc.migrations?.[i]).toContain(w);
    // The renamed component is installed under its new name, the old one is not uninstalled.
    expect(doc.components.find((c) => c.name === "gardenlet")).toMatchObject({
      action: "install",
      reason: "release garden/garden-internal-gardenlet renamed: its objects are adopted",
    });
    expect(doc.components.map((c) => c.name)).not.toContain("internal-gardenlet");
    // Planning changed nothing.
    expect((await mustGet<StatefulSet>("apps/v1", "StatefulSet", "etcd", "garden")).metadata.uid).toBe(
      etcd.metadata.uid,
    );

    const upgraded = await apply("1.87");
    expect(upgraded.code, upgraded.stdout + upgraded.stderr).toBe(0);

    // Every component Ready, the old component's record gone.
    const status = JSON.parse(
      (await cli(["status", "--kubeconfig", landscape.env.base.kubeconfigPath, "-o", "json"])).stdout,
    ) as {
      components: { component: string; state: string }[];
    };
    expect(status.components.filter((c) => c.state !== "ready" && c.state !== "unchanged")).toEqual([]);
    expect(status.components.map((c) => c.component)).toContain("gardenlet");
    expect(status.components.map((c) => c.component)).not.toContain("internal-gardenlet");
    expect(await store.readCatalog()).toBe("1.87");

    // The moved object was adopted, not recreated, and the keep 23ke set for the move is off again.
    const pcAfter = await mustGet<Meta>("scheduling.k8s.io/v1", "PriorityClass", "gardener-system-critical");
    expect(pcAfter.metadata.uid).toBe(pc.metadata.uid);
    expect(pcAfter.metadata.annotations?.["meta.helm.sh/release-name"]).toBe("garden-gardener-runtime");
    expect(pcAfter.metadata.annotations?.["helm.sh/resource-policy"]).toBeUndefined();

    // The renamed release: its records under the new name only, its objects adopted in place.
    expect(await helmRecords("garden-internal-gardenlet")).toEqual([]);
    expect((await helmRecords("garden-gardenlet")).length).toBeGreaterThan(0);
    const gardenletAfter = await mustGet<Meta>("apps/v1", "Deployment", "gardenlet", "garden");
    expect(gardenletAfter.metadata.uid).toBe(gardenlet.metadata.uid);
    expect(gardenletAfter.metadata.annotations?.["meta.helm.sh/release-name"]).toBe("garden-gardenlet");

    // The StatefulSet was recreated with the new selector; its claim survived, no longer owned.
    const etcdAfter = await mustGet<StatefulSet>("apps/v1", "StatefulSet", "etcd", "garden");
    expect(etcdAfter.metadata.uid).not.toBe(etcd.metadata.uid);
    expect(etcdAfter.spec.selector.matchLabels).toEqual({
      "app.kubernetes.io/name": "etcd",
      "app.kubernetes.io/component": "etcd",
    });
    const claimAfter = await mustGet<Meta>(
      "v1",
      "PersistentVolumeClaim",
      "virtual-garden-etcd-etcd-0",
      "garden",
    );
    expect(claimAfter.metadata.uid).toBe(claim?.metadata.uid);
    expect(claimAfter.metadata.ownerReferences ?? []).toEqual([]);

    // The CRD from crds/ has the new field.
    const crd = await mustGet<Crd>(
      "apiextensions.k8s.io/v1",
      "CustomResourceDefinition",
      "certificates.cert.gardener.cloud",
    );
    expect(certificateSpecFields(crd)).toContain("privateKey");

    // Nothing is left to migrate: the plan lists no migration.
    const again = JSON.parse((await plan("1.87", "--output", "json")).stdout) as { migrations?: string[] };
    expect(again.migrations).toBeUndefined();

    // A downgrade is refused.
    const down = await apply("1.86");
    expect(down.code).not.toBe(0);
    expect(down.stdout + down.stderr).toContain("downgrading Gardener is not supported");
    expect(await store.readCatalog()).toBe("1.87");
  });
});
