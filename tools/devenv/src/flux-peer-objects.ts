/**
 * The Flux peer of the benchmark (bench/flux-peer.mjs): 23ke's release units as the Flux objects
 * the Flux-based 23KE declared (lotharbach/yake at e15f1fba, pre-gardener/ and gardener/): one
 * HelmRepository per chart repository and one HelmRelease per unit, named after the component, in
 * the system namespace, with
 *
 * - `dependsOn` the unit's dependencies (the catalog's, which are 23KE's without the
 *   configuration stage: its Secrets exist before Flux starts);
 * - `valuesFrom` the unit's value layers (`<c>-base-values` required, `-0`/`-1`/`-2`/`<c>-values`
 *   optional), then its injections (`valuesKey` → `targetPath`), and `values` the inline values:
 *   Flux merges them in that order, as 23ke does;
 * - `postRenderers` the unit's post-render patches as kustomize JSON 6902 patches;
 * - `targetNamespace` / `storageNamespace` the unit's namespace (the release is then named
 *   `<namespace>-<component>`, as 23KE's and 23ke's releases are), `interval: 1m`,
 *   `install.remediation.retries: 3`, `install.createNamespace: true`, chart `interval: 1m`,
 *   repository `interval: 5m`, as 23KE declared them;
 * - for the virtual garden, `kubeConfig.secretRef`: a Secret holding the local virtual garden's
 *   loopback kubeconfig (23KE's `gardener-internal-kubeconfig` names the in-cluster Service, which
 *   a process on this machine must not dial).
 *
 * Every repository points at the local chart repository (which serves the stand-in charts and
 * 23ke's own charts, where 23KE took its own charts from its git repository). Pure.
 */
import type { KubeObject } from "#product/kube/client.js";
import type { PostRenderPatch, PostRenderTarget } from "#product/helm/post-render-patches.js";
import { componentValues, type SecretData } from "#product/reconcile/component-values.js";
import { resolvePostRenderers } from "#product/reconcile/post-renderers.js";
import type { ReleaseUnit } from "#product/reconcile/release-units.js";

export const HELM_RELEASE_API = "helm.toolkit.fluxcd.io/v2";
export const HELM_REPOSITORY_API = "source.toolkit.fluxcd.io/v1";

export interface FluxPeerInput {
  /** The release units, as 23ke would apply them (offlineUnits with the cluster's facts). */
  units: readonly ReleaseUnit[];
  /** The value Secrets of the system namespace (post-renderers read the merged values). */
  secrets: SecretData;
  /** Where the HelmRepositories, HelmReleases and value Secrets live. */
  namespace: string;
  /** The local chart repository every HelmRepository points at. */
  repositoryUrl: string;
  /** Secret (key `value`) with the virtual garden's kubeconfig, for units that target it. */
  virtualKubeconfigSecret: string;
}

export interface FluxPeerObjects {
  repositories: KubeObject[];
  releases: KubeObject[];
}

export function fluxPeerObjects(i: FluxPeerInput): FluxPeerObjects {
  const names = new Set(i.units.map((u) => u.name));
  const repositories = [...new Set(i.units.map((u) => u.chart.repository))].sort().map((name) => ({
    apiVersion: HELM_REPOSITORY_API,
    kind: "HelmRepository",
    metadata: { name, namespace: i.namespace },
    spec: { interval: "5m", url: i.repositoryUrl },
  }));
  const releases = i.units.map((u) => {
    const unknown = u.dependsOn.filter((d) => !names.has(d));
    if (unknown.length > 0)
      throw new Error(`flux peer: ${u.name} depends on ${unknown.join(", ")}, which is not a release unit`);
    return helmRelease(u, i);
  });
  return { repositories, releases };
}

function helmRelease(u: ReleaseUnit, i: FluxPeerInput): KubeObject {
  const valuesFrom = [
    ...u.layers.map((l) => ({ kind: "Secret", name: l.secret, optional: l.optional })),
    ...u.injections.map((inj) => ({
      kind: "Secret",
      name: inj.secret,
      valuesKey: inj.key,
      targetPath: inj.path,
    })),
  ];
  // Post-render patches read layer values or extension settings, never injected ones.
  const patches = resolvePostRenderers(u, componentValues({ ...u, injections: [] }, i.secrets, i.namespace));
  return {
    apiVersion: HELM_RELEASE_API,
    kind: "HelmRelease",
    metadata: { name: u.name, namespace: i.namespace },
    spec: {
      interval: "1m",
      targetNamespace: u.namespace,
      storageNamespace: u.namespace,
      install: { remediation: { retries: 3 }, createNamespace: true },
      ...(u.dependsOn.length === 0 ? {} : { dependsOn: u.dependsOn.map((name) => ({ name })) }),
      chart: {
        spec: {
          chart: u.chart.name,
          version: u.chart.version,
          sourceRef: { kind: "HelmRepository", name: u.chart.repository, namespace: i.namespace },
          interval: "1m",
        },
      },
      ...(u.target === "virtual"
        ? { kubeConfig: { secretRef: { name: i.virtualKubeconfigSecret, key: "value" } } }
        : {}),
      ...(valuesFrom.length === 0 ? {} : { valuesFrom }),
      ...(Object.keys(u.inline).length === 0 ? {} : { values: u.inline }),
      ...(patches.length === 0
        ? {}
        : { postRenderers: [{ kustomize: { patches: patches.map(kustomizePatch) } }] }),
    },
  };
}

/** A post-render patch as a kustomize patch: a JSON 6902 list (JSON is YAML) and a selector. */
function kustomizePatch(p: PostRenderPatch): { target: Record<string, string>; patch: string } {
  return { target: selector(p.target), patch: JSON.stringify(p.patch) };
}

function selector(t: PostRenderTarget): Record<string, string> {
  const out: Record<string, string> = { kind: t.kind };
  if (t.apiVersion !== undefined) {
    const slash = t.apiVersion.lastIndexOf("/");
    out.group = slash < 0 ? "" : t.apiVersion.slice(0, slash);
    out.version = t.apiVersion.slice(slash + 1);
  }
  if (t.name !== undefined) out.name = t.name;
  if (t.namespace !== undefined) out.namespace = t.namespace;
  return out;
}
