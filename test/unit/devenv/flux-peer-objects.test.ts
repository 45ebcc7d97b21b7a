/**
 * The benchmark's Flux peer: 23ke's release units as HelmRepositories and HelmReleases shaped as
 * the Flux-based 23KE declared them (valuesFrom layers then injections, inline values last,
 * dependsOn, the virtual garden by kubeConfig, post-render patches as kustomize JSON patches).
 */
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadCatalog } from "../../../src/catalog/load-catalog.js";
import type { KubeObject } from "../../../src/kube/client.js";
import type { SecretData } from "../../../src/reconcile/component-values.js";
import type { ReleaseUnit } from "../../../src/reconcile/release-units.js";
import { releaseUnits } from "../../../src/reconcile/release-units.js";
import { fluxPeerObjects } from "../../../tools/devenv/src/flux-peer-objects.js";

const NS = "flux-system";
const values = (v: Record<string, unknown>): Record<string, string> => ({
  "values.yaml": Buffer.from(stringify(v)).toString("base64"),
});
const unit = (u: Partial<ReleaseUnit> & Pick<ReleaseUnit, "name">): ReleaseUnit => ({
  stage: "gardener",
  target: "base",
  namespace: "garden",
  release: `garden-${u.name}`,
  chart: {
    repository: "gardener-community",
    repositoryUrl: "https://example.invalid",
    name: u.name,
    version: "1.0.0",
  },
  dependsOn: [],
  layers: [],
  injections: [],
  inline: {},
  postRenderers: [],
  ...u,
});
const input = (units: ReleaseUnit[], secrets: SecretData = new Map()) => ({
  units,
  secrets,
  namespace: NS,
  repositoryUrl: "http://127.0.0.1:1234",
  virtualKubeconfigSecret: "virtual-kubeconfig",
});
const spec = (o: KubeObject): Record<string, unknown> =>
  (o as KubeObject & { spec: Record<string, unknown> }).spec;

describe("Flux peer objects", () => {
  it("maps a unit's layers, injections, inline values, dependencies and post-renderers", () => {
    const etcd = unit({
      name: "etcd",
      dependsOn: ["certificates"],
      layers: [
        { secret: "etcd-base-values", optional: false },
        { secret: "etcd-values", optional: true },
      ],
      injections: [{ secret: "etcd-tls", key: "tls.crt", path: "tls.server.crt" }],
      inline: { name: "etcd-main" },
      postRenderers: [
        {
          description: "priority",
          target: { kind: "StatefulSet", apiVersion: "apps/v1" },
          patch: [{ op: "add", path: "/spec/template/spec/priorityClassName", valueFrom: "values.priority" }],
        },
        {
          description: "backup endpoint",
          target: { kind: "Secret", name: "etcd-backup" },
          patch: [{ op: "add", path: "/data/x", valueFrom: "values.absent" }],
        },
      ],
    });
    const certificates = unit({ name: "certificates", chart: { ...etcd.chart, repository: "builtin" } });
    const { repositories, releases } = fluxPeerObjects(
      input(
        [certificates, etcd],
        new Map([["etcd-base-values", values({ priority: "gardener-kubernetes" })]]),
      ),
    );
    expect(repositories.map((r) => [r.metadata.name, spec(r).url])).toEqual([
      ["builtin", "http://127.0.0.1:1234"],
      ["gardener-community", "http://127.0.0.1:1234"],
    ]);
    expect(releases.map((r) => r.metadata)).toEqual([
      { name: "certificates", namespace: NS },
      { name: "etcd", namespace: NS },
    ]);
    expect(spec(releases[1] as KubeObject)).toEqual({
      interval: "1m",
      targetNamespace: "garden",
      storageNamespace: "garden",
      install: { remediation: { retries: 3 }, createNamespace: true },
      dependsOn: [{ name: "certificates" }],
      chart: {
        spec: {
          chart: "etcd",
          version: "1.0.0",
          sourceRef: { kind: "HelmRepository", name: "gardener-community", namespace: NS },
          interval: "1m",
        },
      },
      valuesFrom: [
        { kind: "Secret", name: "etcd-base-values", optional: false },
        { kind: "Secret", name: "etcd-values", optional: true },
        { kind: "Secret", name: "etcd-tls", valuesKey: "tls.crt", targetPath: "tls.server.crt" },
      ],
      values: { name: "etcd-main" },
      // The Secret patch has nothing to add (values.absent is unset): left out, as 23ke does.
      postRenderers: [
        {
          kustomize: {
            patches: [
              {
                target: { kind: "StatefulSet", group: "apps", version: "v1" },
                patch: JSON.stringify([
                  { op: "add", path: "/spec/template/spec/priorityClassName", value: "gardener-kubernetes" },
                ]),
              },
            ],
          },
        },
      ],
    });
  });

  it("reaches the virtual garden through the kubeconfig Secret, the base cluster without", () => {
    const { releases } = fluxPeerObjects(
      input([unit({ name: "a", target: "virtual" }), unit({ name: "b", target: "base" })]),
    );
    expect(releases.map((r) => spec(r).kubeConfig)).toEqual([
      { secretRef: { name: "virtual-kubeconfig", key: "value" } },
      undefined,
    ]);
  });

  it("refuses a dependency that is not a release unit, naming both", () => {
    expect(() => fluxPeerObjects(input([unit({ name: "a", dependsOn: ["ghost"] })]))).toThrow(
      "a depends on ghost, which is not a release unit",
    );
  });

  it("gives every unit of the 1.86 landscape one HelmRelease with the catalog's dependencies", () => {
    const units = releaseUnits(loadCatalog("1.86"), {
      backupsEnabled: false,
      webterminalEnabled: false,
      installVpaCrds: false,
      extensions: { "provider-aws": { enabled: true, version: "1.51.1" } },
      systemNamespace: NS,
    });
    const secrets: SecretData = new Map(
      units.flatMap((u) => u.layers.filter((l) => !l.optional).map((l) => [l.secret, values({})] as const)),
    );
    const { releases } = fluxPeerObjects(input(units, secrets));
    expect(releases.map((r) => r.metadata.name)).toEqual(units.map((u) => u.name));
    for (const [i, u] of units.entries()) {
      const s = spec(releases[i] as KubeObject);
      expect(s.dependsOn ?? []).toEqual(u.dependsOn.map((name) => ({ name })));
      expect(s.targetNamespace).toBe(u.namespace);
      expect((s.valuesFrom as unknown[] | undefined)?.length ?? 0).toBe(
        u.layers.length + u.injections.length,
      );
    }
  });
});
