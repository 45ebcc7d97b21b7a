/**
 * The real charts' contract: every component of the catalog rendered (`renderOffline`, what
 * `23ke template` runs) from the stand-in charts with the values 23ke computes, for several
 * configs. The stand-ins carry a values.schema.json that mirrors the real chart's value tree, so
 * a key the real chart does not read fails here; the behaviour that matters (namespaces a chart
 * hard-codes, VPA objects, subchart switches, string images) is asserted on the output.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import {
  offlineClusterFacts,
  parseConfigLayers,
  resolveConfig,
  type ClusterFacts,
  type ResolvedConfig,
} from "../../src/config/index.js";
import { HelmDriver } from "../../src/helm/helm-driver.js";
import { BuiltinCharts } from "../../src/reconcile/chart-source.js";
import {
  placeholderGeneratedSecrets,
  renderOffline,
  type RenderedComponent,
} from "../../src/reconcile/offline-render.js";
import { ChartSource } from "../../src/sources/helm/chart-source.js";
import { parseValuesDocument } from "../../src/values/values-document.js";
import { helmEnv, testEnv } from "../support/env.js";

const root = path.resolve(import.meta.dirname, "..", "..");
const catalog = loadCatalog("1.86");
const NS = "23ke-system";

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [k: string]: unknown;
}

const b64 = (s: string): string => Buffer.from(s).toString("base64");
const minimal = readFileSync(path.join(root, "examples", "23ke-config-minimal.yaml"), "utf8");
const full = readFileSync(path.join(root, "examples", "23ke-config.yaml"), "utf8");

const backups = (provider: string, creds: Record<string, string>, extra = ""): string =>
  `backups:\n  enabled: true\n  provider: ${provider}\n  region: eu-1\n  bucketName: garden-backups\n${extra}  credentials:\n${Object.entries(
    creds,
  )
    .map(([k, v]) => `    ${k}: ${b64(v)}\n`)
    .join("")}`;

/** The example configuration repository, plus values that switch on what is off by default. */
function repoValues(
  extra: Record<string, Record<string, unknown>> = {},
): Map<string, Record<string, unknown>> {
  const m = new Map<string, Record<string, unknown>>();
  for (const f of ["extensions-values", "gardener-values", "gardenlet-values"]) {
    const text = readFileSync(path.join(root, "examples", "config-repo", "config", `${f}.yaml`), "utf8");
    const r = parseValuesDocument(text, { source: f });
    if (!r.ok) throw new Error(`examples/config-repo/config/${f}.yaml does not parse`);
    m.set(f, r.document.values);
  }
  for (const [k, v] of Object.entries(extra)) m.set(k, v);
  return m;
}

const everything = repoValues({
  "extensions-values": {
    "provider-aws": { enabled: true },
    "provider-openstack": { enabled: true },
    "networking-calico": { enabled: true },
    "os-gardenlinux": { enabled: true },
    "shoot-dns-service": { enabled: true, globallyEnabled: true },
    "shoot-cert-service": { enabled: true, globallyEnabled: true },
  },
  "webterminal-values": { enabled: true },
});

interface Case {
  name: string;
  config: string[];
  repo: Map<string, Record<string, unknown>>;
  cluster?: (c: ResolvedConfig) => ClusterFacts;
  /** The config's registryOverwrite covers every registry the charts use. */
  mirrorsAll?: boolean;
}

const withVpa = (c: ResolvedConfig): ClusterFacts => ({
  ...offlineClusterFacts(c),
  vpa: true,
  virtualGardenClusterIP: "10.96.0.100",
});

const cases: Case[] = [
  { name: "minimal", config: [minimal], repo: repoValues() },
  {
    name: "full, every optional component, VPA CRDs present",
    config: [full],
    repo: everything,
    cluster: withVpa,
  },
  {
    name: "backups on aws",
    config: [minimal, backups("aws", { accessKeyID: "AKIAID", secretAccessKey: "backup-secret-1" })],
    repo: repoValues(),
  },
  {
    name: "backups on generic s3",
    config: [
      minimal,
      backups(
        "s3",
        { accessKeyID: "AKIAID", secretAccessKey: "backup-secret-2" },
        "  endpoint: https://s3.example.org\n  s3ForcePathStyle: true\n",
      ),
    ],
    repo: repoValues(),
  },
  {
    name: "backups on azure",
    config: [
      minimal,
      backups("azure", { storageAccount: "acct", storageAccountAccessKey: "backup-secret-3" }),
    ],
    repo: repoValues(),
  },
  {
    name: "backups on openstack",
    config: [
      minimal,
      backups("openstack", {
        authURL: "https://keystone.example.org/v3",
        region: "RegionOne",
        username: "u",
        password: "backup-secret-4",
        tenantName: "t",
        domainName: "d",
      }),
    ],
    repo: repoValues(),
  },
  {
    name: "registry overwrite, issuer off, VPA CRDs installed by 23ke",
    config: [
      minimal,
      "issuer:\n  enabled: false\nbaseCluster:\n  vpa: install\n  virtualGardenClusterIP: 10.0.0.100\nregistryOverwrite:\n  eu.gcr.io: mirror.example.org/eu.gcr.io\n  europe-docker.pkg.dev: mirror.example.org/pkg.dev\n  registry.k8s.io: mirror.example.org/k8s\n  quay.io: mirror.example.org/quay\n  ghcr.io: mirror.example.org/ghcr\n  docker.io: mirror.example.org/docker\n",
    ],
    repo: everything,
    mirrorsAll: true,
  },
];

let scratch: string;
let helm: HelmDriver;
let charts: BuiltinCharts;

beforeAll(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), "23ke-contract-"));
  const env = testEnv();
  if (env.helmRepository === undefined) throw new Error("the test environment has no Helm repository");
  helm = new HelmDriver({ helm: env.helm, env: helmEnv(scratch) });
  const mirrors: Record<string, string> = {};
  for (const url of Object.values(catalog.repositories)) mirrors[url] = env.helmRepository;
  const upstream = new ChartSource({ cacheDir: path.join(scratch, "cache"), mirrors });
  charts = new BuiltinCharts(path.join(root, "charts"), {
    fetch: async (c, signal) => {
      const f = await upstream.fetch(
        { repository: c.repositoryUrl, name: c.name, version: c.version },
        signal,
      );
      return { path: f.path, digest: f.digest };
    },
  });
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function resolved(texts: string[]): ResolvedConfig {
  const { layers, problems } = parseConfigLayers(
    texts.map((text, i) => ({ name: `layer-${i}`, text, source: `layer-${i}` })),
  );
  expect(problems).toEqual([]);
  return resolveConfig(layers, placeholderGeneratedSecrets()).config;
}

async function renderCase(
  c: Case,
): Promise<{ config: ResolvedConfig; cluster: ClusterFacts; out: RenderedComponent[] }> {
  const config = resolved(c.config);
  const cluster = c.cluster?.(config) ?? offlineClusterFacts(config);
  const out = await renderOffline({
    catalog,
    config,
    cluster,
    configRepoValues: c.repo,
    systemNamespace: NS,
    charts,
    helm,
  });
  return { config, cluster, out };
}

function objects(r: RenderedComponent | undefined): Obj[] {
  if (r === undefined) return [];
  return parseAllDocuments(r.manifest)
    .map((d) => d.toJS() as Obj | null)
    .filter((d): d is Obj => d !== null);
}

function images(objs: Obj[]): string[] {
  const out: string[] = [];
  for (const o of objs) {
    const spec = (
      o.spec as
        | { template?: { spec?: { containers?: { image: string }[]; initContainers?: { image: string }[] } } }
        | undefined
    )?.template?.spec;
    for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) out.push(c.image);
  }
  return out;
}

describe("every catalog component renders from its stand-in with the values 23ke computes", () => {
  it.each(cases)("$name", async (c) => {
    const { config, cluster, out } = await renderCase(c);
    const byName = new Map(out.map((r) => [r.unit.name, r]));
    // Every component rendered (a schema violation or a template error would have thrown).
    expect(out.length).toBeGreaterThan(20);
    // Nothing is rendered only where nothing is asked for: no cloud profile is enabled in
    // cloudprofiles-values, and no Issuer without the ACME issuer.
    const empty = new Set(["cloudprofiles", ...(config.issuer.enabled ? [] : ["issuer"])]);
    for (const r of out)
      if (!empty.has(r.unit.name))
        expect(objects(r).length, `${r.unit.name} renders objects`).toBeGreaterThan(0);

    // garden-kube-apiserver hard-codes flux-system; the post-renderer moves both kubeconfigs.
    const kas = objects(byName.get("kube-apiserver"));
    for (const name of ["gardener-internal-kubeconfig", "gardenlet-kubeconfig-bootstrap"]) {
      const s = kas.find((o) => o.kind === "Secret" && o.metadata.name === name);
      expect(s?.metadata.namespace, name).toBe(NS);
    }
    expect(kas.some((o) => o.metadata.namespace === "flux-system")).toBe(false);
    // PriorityClasses from addons are used.
    const kasDeploy = kas.find((o) => o.kind === "Deployment");
    expect(
      (kasDeploy?.spec as { template: { spec: { priorityClassName?: string } } }).template.spec
        .priorityClassName,
    ).toBe("gardener-kubernetes");

    // VPA objects exactly when the base cluster has (or gets) the VPA CRDs.
    const vpas = out.flatMap((r) =>
      objects(r)
        .filter((o) => o.kind === "VerticalPodAutoscaler")
        .map(() => r.unit.name),
    );
    if (cluster.vpa)
      expect(vpas).toEqual(expect.arrayContaining(["external-dns-management", "gardener-runtime"]));
    else expect(vpas).toEqual([]);
    expect(byName.has("vpa-crds")).toBe(cluster.installVpaCrds);

    // The gardener-apiserver Service gets the virtual garden's ClusterIP.
    const svc = objects(byName.get("gardener-runtime")).find(
      (o) => o.kind === "Service" && o.metadata.name === "gardener-apiserver",
    );
    expect((svc?.spec as { clusterIP?: string } | undefined)?.clusterIP).toBe(cluster.virtualGardenClusterIP);

    // Backups: the etcd backup Secret carries the keys the etcd chart reads, base64.
    const etcd = objects(byName.get("etcd"));
    const backup = etcd.find((o) => o.kind === "Secret" && o.metadata.name === "etcd-backup");
    if (config.backups.enabled) {
      const data = (backup?.data ?? {}) as Record<string, string>;
      expect(Object.keys(data).length).toBeGreaterThan(1);
      for (const v of Object.values(data)) expect(v).not.toBe("");
      if (config.backups.provider === "s3")
        expect(Object.keys(data)).toEqual(expect.arrayContaining(["endpoint", "s3ForcePathStyle"]));
    } else expect(backup).toBeUndefined();
    for (const i of images(etcd)) expect(typeof i === "string" && !i.includes("map[")).toBe(true);

    // The webterminal renders its parts when enabled (the subchart switches are the real ones).
    if (byName.has("terminal-controller-manager-runtime")) {
      expect(objects(byName.get("terminal-controller-manager-runtime")).length).toBeGreaterThan(0);
      expect(objects(byName.get("terminal-controller-manager-application")).length).toBeGreaterThan(0);
    }

    // Registry overwrite of every registry: every image of every workload comes from the mirror.
    if (c.mirrorsAll === true) {
      const all = out.flatMap((r) => images(objects(r)).map((i) => `${r.unit.name}: ${i}`));
      expect(all.length).toBeGreaterThan(0);
      expect(all.filter((i) => !i.includes("mirror.example.org/"))).toEqual([]);
      const cd = objects(byName.get("provider-aws")).find((o) => o.kind === "ControllerDeployment");
      const pv = (
        cd?.providerConfig as {
          values: { image: { repository?: string; tag?: string }; imageVectorOverwrite?: string };
        }
      ).values;
      expect(pv.image.repository).toMatch(/^mirror\.example\.org\//);
      expect(pv.image.tag).toMatch(/^v/);
      expect(pv.imageVectorOverwrite).toContain("mirror.example.org/");
    }

    // globallyEnabled reaches the ControllerRegistration.
    const dns = objects(byName.get("shoot-dns-service")).find((o) => o.kind === "ControllerRegistration");
    if (dns !== undefined)
      expect((dns.spec as { resources: { globallyEnabled?: boolean }[] }).resources[0]?.globallyEnabled).toBe(
        true,
      );

    // Admission of provider extensions: certificate, application (virtual) and runtime (base).
    if (byName.has("provider-aws")) {
      for (const part of ["certificate", "application", "runtime"])
        expect(byName.has(`admission-provider-aws-${part}`), part).toBe(true);
      expect(byName.get("admission-provider-aws-application")?.unit.target).toBe("virtual");
    }
  });
});

describe("the stand-ins hold 23ke to the real value interface", () => {
  it.each([
    ["etcd", { images: { etcd: { repository: "x" } } }],
    ["garden-kube-apiserver", { kubeconfigSecretNamespace: "23ke-system" }],
    ["gardener-webterminal", { runtime: { enabled: true } }],
    ["external-dns-management", { "external-dns-management": { vpa: { enable: false } } }],
  ])("%s rejects values the real chart does not read", async (chart, values) => {
    const dir = path.join(root, "test", "fixtures", "charts", chart);
    await expect(helm.template({ release: "x", namespace: "garden", chart: dir, values })).rejects.toThrow(
      /schema|additional/i,
    );
  });
});
