/**
 * From the catalog and the facts of a pass to release units: conditions (vpa-crds), extension
 * expansion with admission, post-renderers resolved against the merged values.
 */
import { describe, expect, it } from "vitest";
import { loadCatalog } from "../../../src/catalog/load-catalog.js";
import { resolvePostRenderers } from "../../../src/reconcile/post-renderers.js";
import { releaseUnits, type UnitFacts } from "../../../src/reconcile/release-units.js";

const catalog = loadCatalog("1.86");
const facts = (f: Partial<UnitFacts> = {}): UnitFacts => ({
  backupsEnabled: false,
  webterminalEnabled: false,
  installVpaCrds: false,
  extensions: {},
  systemNamespace: "23ke-system",
  ...f,
});
const byName = (f: UnitFacts): Map<string, ReturnType<typeof releaseUnits>[number]> =>
  new Map(releaseUnits(catalog, f).map((u) => [u.name, u]));

describe("release units", () => {
  it.each([
    [false, []],
    [true, ["vpa-crds"]],
  ])("installVpaCrds %s: vpa-crds present and awaited by the charts that render VPAs", (install, deps) => {
    const u = byName(facts({ installVpaCrds: install }));
    expect(u.has("vpa-crds")).toBe(install);
    for (const c of ["external-dns-management", "gardener-runtime", "dashboard-runtime"])
      expect(u.get(c)?.dependsOn.filter((d) => d === "vpa-crds")).toEqual(deps);
  });

  it("expands an extension with admission into the extension, its certificate and both admission parts", () => {
    const u = byName(
      facts({
        extensions: {
          "provider-aws": {
            enabled: true,
            version: "1.51.1",
            values: { image: { repository: "mirror/aws" } },
            admission: { enabled: true, values: { vpa: { enabled: false } } },
          },
          "os-gardenlinux": { enabled: true, version: "0.22.0" },
          "networking-calico": { enabled: false, version: "1.37.0" },
        },
      }),
    );
    expect(u.has("networking-calico")).toBe(false);
    // The image reaches the ControllerDeployment through the post-renderer, not controller.values.
    expect(u.get("provider-aws")?.inline).toEqual({ controller: { enabled: true } });
    const cert = u.get("admission-provider-aws-certificate");
    expect(cert).toMatchObject({ target: "base", namespace: "23ke-system", inline: { short: "aws" } });
    expect(cert?.dependsOn).toContain("certificates");
    const app = u.get("admission-provider-aws-application");
    expect(app).toMatchObject({
      target: "virtual",
      namespace: "garden",
      chart: { name: "provider-aws", version: "1.51.1" },
      inline: {
        global: { image: { tag: "v1.51.1" }, virtualGarden: { enabled: true }, vpa: { enabled: false } },
        "gardener-extension-admission-aws": { enabled: true, application: { enabled: true } },
      },
    });
    expect(app?.dependsOn).toContain("admission-provider-aws-certificate");
    expect(app?.injections.map((i) => i.path)).toEqual(["global.webhookConfig.caBundle"]);
    const rt = u.get("admission-provider-aws-runtime");
    expect(rt).toMatchObject({ target: "base", dependsOn: ["admission-provider-aws-application"] });
    expect(rt?.injections.map((i) => i.path).sort()).toEqual([
      "global.kubeconfig",
      "global.webhookConfig.tls.crt",
      "global.webhookConfig.tls.key",
    ]);
    expect(u.has("admission-os-gardenlinux-application")).toBe(false);
  });

  it("resolves post-renderers: literal values with the system namespace, valueFrom present or left out", () => {
    const u = byName(
      facts({
        systemNamespace: "flux-system",
        extensions: {
          "shoot-dns-service": { enabled: true, version: "1.41.0", globallyEnabled: true },
          "os-gardenlinux": { enabled: true, version: "0.22.0" },
        },
      }),
    );
    const kas = resolvePostRenderers(u.get("kube-apiserver") ?? { postRenderers: [] }, { values: {} });
    expect(kas.find((p) => p.target.name === "gardener-internal-kubeconfig")?.patch).toEqual([
      { op: "replace", path: "/metadata/namespace", value: "flux-system" },
    ]);
    const dns = resolvePostRenderers(u.get("shoot-dns-service") ?? { postRenderers: [] }, { values: {} });
    expect(dns).toEqual([
      {
        target: { kind: "ControllerRegistration" },
        patch: [{ op: "add", path: "/spec/resources/0/globallyEnabled", value: true }],
      },
    ]);
    // Nothing set: no patch at all.
    expect(resolvePostRenderers(u.get("os-gardenlinux") ?? { postRenderers: [] }, { values: {} })).toEqual(
      [],
    );
    const etcd = resolvePostRenderers(u.get("etcd") ?? { postRenderers: [] }, {
      values: {},
      omitted: { backupSecretExtra: { endpoint: "aHR0cHM6Ly9zMw==" } },
    });
    expect(etcd.find((p) => p.target.name === "etcd-backup")?.patch).toEqual([
      { op: "add", path: "/data/endpoint", value: "aHR0cHM6Ly9zMw==" },
    ]);
  });
});
