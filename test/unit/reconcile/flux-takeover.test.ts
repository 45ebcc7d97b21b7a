/**
 * Taking over a Flux-based 23KE landscape (src/reconcile/flux-takeover.ts): which Helm release a
 * HelmRelease manages by Flux's defaults, which of them 23ke adopts, what is suspended in which
 * order, and the plan's lines.
 */
import { describe, expect, it } from "vitest";
import { loadCatalog } from "../../../src/catalog/load-catalog.js";
import {
  catalogReleases,
  managedRelease,
  takeoverLines,
  takeoverPlan,
  type FluxFacts,
  type FluxHelmRelease,
  type FluxObject,
} from "../../../src/reconcile/flux-takeover.js";

const HR = "helm.toolkit.fluxcd.io/v2";
const KS = "kustomize.toolkit.fluxcd.io/v1";

describe("the Helm release a HelmRelease manages", () => {
  it.each<[string, Record<string, unknown>, ReturnType<typeof managedRelease>]>([
    [
      "targetNamespace: <target>-<name>, stored in the HelmRelease's namespace",
      { targetNamespace: "garden" },
      { name: "garden-etcd", namespace: "garden", storageNamespace: "flux-system", remote: false },
    ],
    [
      "no targetNamespace: <name> in the HelmRelease's namespace",
      {},
      { name: "etcd", namespace: "flux-system", storageNamespace: "flux-system", remote: false },
    ],
    [
      "releaseName and storageNamespace as given",
      { targetNamespace: "garden", releaseName: "my-etcd", storageNamespace: "garden" },
      { name: "my-etcd", namespace: "garden", storageNamespace: "garden", remote: false },
    ],
    [
      "kubeConfig: a release in another cluster",
      { targetNamespace: "garden", kubeConfig: { secretRef: { name: "gardener-internal-kubeconfig" } } },
      { name: "garden-etcd", namespace: "garden", storageNamespace: "flux-system", remote: true },
    ],
    [
      "empty strings count as unset",
      { targetNamespace: "", releaseName: "" },
      { name: "etcd", namespace: "flux-system", storageNamespace: "flux-system", remote: false },
    ],
  ])("%s", (_, spec, want) => {
    expect(
      managedRelease({
        apiVersion: HR,
        kind: "HelmRelease",
        metadata: { name: "etcd", namespace: "flux-system" },
        spec,
      }),
    ).toEqual(want);
  });
});

function hr(name: string, spec: Record<string, unknown>, suspended = false): FluxHelmRelease {
  const obj = { apiVersion: HR, kind: "HelmRelease", metadata: { name, namespace: "flux-system" }, spec };
  return {
    apiVersion: HR,
    kind: "HelmRelease",
    name,
    namespace: "flux-system",
    suspended,
    release: managedRelease(obj),
  };
}

function ks(name: string, suspended = false): FluxObject {
  return { apiVersion: KS, kind: "Kustomization", name, namespace: "flux-system", suspended };
}

describe("the takeover plan against catalog 1.86 in flux-system", () => {
  const releases = catalogReleases(loadCatalog("1.86"), "flux-system");
  // As the Flux-based 23KE at e15f1fba declared them (with storage where helm reads it for two).
  const facts: FluxFacts = {
    kustomizations: [ks("gardener"), ks("pre-gardener", true)],
    helmReleases: [
      hr("cert-manager", { targetNamespace: "kube-system" }),
      hr("ingress-nginx", { targetNamespace: "garden", storageNamespace: "garden" }),
      hr("identity", { targetNamespace: "garden" }, true),
      hr("certificates", {}),
      hr("configuration", {}),
    ],
  };
  const plan = takeoverPlan(facts, releases);

  it("suspends what is not suspended yet, Kustomizations first", () => {
    expect(plan.suspend.map((o) => `${o.kind}/${o.name}`)).toEqual([
      "Kustomization/gardener",
      "HelmRelease/cert-manager",
      "HelmRelease/ingress-nginx",
      "HelmRelease/certificates",
      "HelmRelease/configuration",
    ]);
    expect(plan.suspended.map((o) => `${o.kind}/${o.name}`)).toEqual([
      "Kustomization/pre-gardener",
      "HelmRelease/identity",
    ]);
  });

  it("adopts the releases 23ke names the same, moving Helm's records Flux kept elsewhere", () => {
    expect(plan.adopt).toEqual([
      {
        helmRelease: "cert-manager",
        component: "cert-manager",
        release: "kube-system-cert-manager",
        namespace: "kube-system",
        moveFrom: "flux-system",
      },
      {
        helmRelease: "ingress-nginx",
        component: "ingress-nginx",
        release: "garden-ingress-nginx",
        namespace: "garden",
      },
      {
        helmRelease: "identity",
        component: "identity",
        release: "garden-identity",
        namespace: "garden",
        moveFrom: "flux-system",
      },
    ]);
  });

  it("leaves the releases 23ke names otherwise, and says what 23ke's are", () => {
    expect(plan.unmatched).toEqual([
      {
        helmRelease: "certificates",
        release: "certificates",
        namespace: "flux-system",
        component: "certificates",
        ours: "garden/garden-certificates",
      },
      { helmRelease: "configuration", release: "configuration", namespace: "flux-system" },
    ]);
  });

  it("prints what the apply does, in order", () => {
    expect(takeoverLines(plan)).toEqual([
      "will suspend Kustomization flux-system/gardener",
      "will suspend HelmRelease flux-system/cert-manager",
      "will suspend HelmRelease flux-system/ingress-nginx",
      "will suspend HelmRelease flux-system/certificates",
      "will suspend HelmRelease flux-system/configuration",
      "Kustomization flux-system/pre-gardener is suspended already",
      "HelmRelease flux-system/identity is suspended already",
      "HelmRelease cert-manager: release kube-system/kube-system-cert-manager adopted by component cert-manager; Helm's records copied from flux-system to kube-system",
      "HelmRelease ingress-nginx: release garden/garden-ingress-nginx adopted by component ingress-nginx",
      "HelmRelease identity: release garden/garden-identity adopted by component identity; Helm's records copied from flux-system to garden",
      "HelmRelease certificates: release flux-system/certificates is not adopted (23ke's component certificates is release garden/garden-certificates); left as it is",
      "HelmRelease configuration: release flux-system/configuration is not adopted (no 23ke component installs it); left as it is",
    ]);
  });

  it("no Flux: nothing to do", () => {
    const none = takeoverPlan({ helmReleases: [], kustomizations: [] }, releases);
    expect(takeoverLines(none)).toEqual([]);
  });

  it("the system namespace's components are named after it", () => {
    expect(releases.find((r) => r.component === "vpa-crds")).toEqual({
      component: "vpa-crds",
      release: "flux-system-vpa-crds",
      namespace: "flux-system",
      target: "base",
    });
  });
});
