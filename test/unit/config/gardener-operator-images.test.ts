/**
 * The registry overwrite in the operator flavour (gardener-operator-images.ts): registryOverwrite →
 * gardener-operator-base-values (the operator's image and its image vector overwrites), as tables;
 * then the form gardener reads (every entry keyed like a built-in one, no tag), and that every
 * operator catalog's Gardener release has image data.
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { catalogVersions, loadCatalog } from "../../../src/catalog/load-catalog.js";
import { fanOut } from "../../../src/config/index.js";
import { gardenerOperatorValues, rewrittenImages } from "../../../src/config/gardener-operator-images.js";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  gardenerImageVersions,
  gardenerImages,
  imageVectorDir,
  type ImageSource,
} from "../../../src/config/gardener-image-vectors/index.js";
import { ValidationError } from "../../../src/errors/errors.js";
import { NO_VPA, resolveOffline } from "../../support/offline-config.js";

const RELEASES = "europe-docker.pkg.dev/gardener-project/releases";
const V1_149_3 = gardenerImages("v1.149.3");

/** What a values string says: the names (with the key's targetVersion) and new repositories. */
function entries(text: unknown): string[] {
  expect(typeof text).toBe("string");
  const doc = parse(text as string) as { images: ImageSource[] };
  return doc.images.map(
    (i) => `${i.name}${i.targetVersion === undefined ? "" : `@${i.targetVersion}`}=${i.repository ?? i.ref}`,
  );
}

function components(text: unknown): Record<string, string[]> {
  expect(typeof text).toBe("string");
  const doc = parse(text as string) as { components: { name: string; imageVectorOverwrite: string }[] };
  return Object.fromEntries(doc.components.map((c) => [c.name, entries(c.imageVectorOverwrite)]));
}

interface Case {
  name: string;
  overwrite: Record<string, string>;
  gardener?: string;
  image?: string;
  /** Entries of imageVectorOverwrite that must be there (all of them when `exactly`). */
  containers?: string[];
  exactly?: boolean;
  absent?: string[];
  charts?: string[];
  components?: Record<string, string[]>;
}

const cases: Case[] = [
  { name: "no overwrite: nothing, the chart's defaults stay", overwrite: {}, gardener: "v1.149.3" },
  {
    name: "an overwrite that matches no image: nothing",
    overwrite: { "docker.io": "mirror.example/hub" },
    gardener: "v1.149.3",
  },
  {
    name: "a release without data (the chart-based catalog's): nothing",
    overwrite: { [RELEASES]: "mirror.example/gardener" },
    gardener: "v1.86.0",
  },
  {
    name: "no release named: nothing",
    overwrite: { [RELEASES]: "mirror.example/gardener" },
  },
  {
    name: "gardener's releases registry: the operator, its components, the dashboard, the gardenlet chart",
    overwrite: { [RELEASES]: "mirror.example/gardener" },
    gardener: "v1.149.3",
    image: "mirror.example/gardener/gardener/operator",
    containers: [
      "gardener-apiserver=mirror.example/gardener/gardener/apiserver",
      "gardenlet=mirror.example/gardener/gardener/gardenlet",
      "gardener-dashboard=mirror.example/gardener/gardener/dashboard",
      "etcd-druid=mirror.example/gardener/gardener/etcd-druid",
      "cluster-autoscaler@1.34.x=mirror.example/gardener/gardener/autoscaler/cluster-autoscaler",
      "plutono=mirror.example/gardener/3rd/credativ/plutono",
    ],
    absent: ["kube-apiserver", "istio-proxy", "etcd", "prometheus"],
    charts: ["gardenlet=mirror.example/gardener/charts/gardener/gardenlet"],
  },
  {
    name: "registry.k8s.io: the Kubernetes images, each version-keyed entry kept apart; the operator stays",
    overwrite: { "registry.k8s.io": "mirror.example/k8s" },
    gardener: "v1.149.3",
    containers: [
      "pause-container=mirror.example/k8s/pause",
      "nginx-ingress-controller=mirror.example/k8s/ingress-nginx/controller-chroot",
      "kube-apiserver=mirror.example/k8s/kube-apiserver",
      "kube-controller-manager=mirror.example/k8s/kube-controller-manager",
      "kube-scheduler=mirror.example/k8s/kube-scheduler",
      "kube-proxy=mirror.example/k8s/kube-proxy",
      "kube-state-metrics=mirror.example/k8s/kube-state-metrics/kube-state-metrics",
      "metrics-server@>= 1.34=mirror.example/k8s/metrics-server/metrics-server",
      "metrics-server@>= 1.31 < 1.34=mirror.example/k8s/metrics-server/metrics-server",
      "coredns=mirror.example/k8s/coredns/coredns",
      "node-local-dns=mirror.example/k8s/dns/k8s-dns-node-cache",
      "node-problem-detector@>= 1.36=mirror.example/k8s/node-problem-detector/node-problem-detector",
      "node-problem-detector@>= 1.35=mirror.example/k8s/node-problem-detector/node-problem-detector",
      "node-problem-detector@>= 1.34=mirror.example/k8s/node-problem-detector/node-problem-detector",
      "node-problem-detector@< 1.34=mirror.example/k8s/node-problem-detector/node-problem-detector",
      "vpa-admission-controller=mirror.example/k8s/autoscaling/vpa-admission-controller",
      "vpa-recommender=mirror.example/k8s/autoscaling/vpa-recommender",
      "vpa-updater=mirror.example/k8s/autoscaling/vpa-updater",
      "cluster-proportional-autoscaler=mirror.example/k8s/cpa/cluster-proportional-autoscaler",
    ],
    exactly: true,
  },
  {
    name: "gcr.io: istio and etcd",
    overwrite: { "gcr.io": "mirror.example/gcr" },
    gardener: "v1.149.3",
    containers: [
      "etcd=mirror.example/gcr/etcd-development/etcd",
      "istio-proxy=mirror.example/gcr/istio-release/proxyv2",
      "istio-istiod=mirror.example/gcr/istio-release/pilot",
    ],
    exactly: true,
  },
  {
    name: "the whole registry host: etcd-druid's own images too (the virtual garden's etcds)",
    overwrite: { "europe-docker.pkg.dev": "mirror.example/pkg" },
    gardener: "v1.149.3",
    image: "mirror.example/pkg/gardener-project/releases/gardener/operator",
    containers: ["gardener-scheduler=mirror.example/pkg/gardener-project/releases/gardener/scheduler"],
    absent: ["kube-apiserver"],
    charts: ["gardenlet=mirror.example/pkg/gardener-project/releases/charts/gardener/gardenlet"],
    components: {
      "etcd-druid": [
        "etcd-wrapper=mirror.example/pkg/gardener-project/public/gardener/etcd-wrapper",
        "etcd-wrapper-next=mirror.example/pkg/gardener-project/public/gardener/etcd-wrapper",
        "etcd-backup-restore=mirror.example/pkg/gardener-project/public/gardener/etcdbrctl",
        "etcd-backup-restore-next=mirror.example/pkg/gardener-project/public/gardener/etcdbrctl",
        "alpine=mirror.example/pkg/gardener-project/public/3rd/alpine",
      ],
    },
  },
  {
    name: "the longest prefix wins; a trailing slash is the same prefix",
    overwrite: {
      "europe-docker.pkg.dev/": "mirror.example/pkg",
      [`${RELEASES}/gardener/`]: "mirror.example/own",
    },
    gardener: "v1.149.3",
    image: "mirror.example/own/operator",
    containers: [
      "gardener-apiserver=mirror.example/own/apiserver",
      "plutono=mirror.example/pkg/gardener-project/releases/3rd/credativ/plutono",
    ],
    charts: ["gardenlet=mirror.example/pkg/gardener-project/releases/charts/gardener/gardenlet"],
    components: {
      "etcd-druid": [
        "etcd-wrapper=mirror.example/pkg/gardener-project/public/gardener/etcd-wrapper",
        "etcd-wrapper-next=mirror.example/pkg/gardener-project/public/gardener/etcd-wrapper",
        "etcd-backup-restore=mirror.example/pkg/gardener-project/public/gardener/etcdbrctl",
        "etcd-backup-restore-next=mirror.example/pkg/gardener-project/public/gardener/etcdbrctl",
        "alpine=mirror.example/pkg/gardener-project/public/3rd/alpine",
      ],
    },
  },
];

describe("gardener-operator values from registryOverwrite", () => {
  it.each(cases)("$name", (c) => {
    const v = gardenerOperatorValues(c.overwrite, c.gardener);
    const keys = [
      ...(c.image === undefined ? [] : ["image"]),
      ...(c.containers === undefined ? [] : ["imageVectorOverwrite"]),
      ...(c.components === undefined ? [] : ["componentImageVectorOverwrites"]),
      ...(c.charts === undefined ? [] : ["chartsImageVectorOverwrite"]),
    ];
    expect(Object.keys(v).sort()).toEqual(keys.sort());
    if (c.image !== undefined) expect(v.image).toEqual({ repository: c.image });
    if (c.containers !== undefined) {
      const got = entries(v.imageVectorOverwrite);
      if (c.exactly === true) expect(got).toEqual(c.containers);
      else expect(got).toEqual(expect.arrayContaining(c.containers));
      for (const name of c.absent ?? []) expect(got.filter((e) => e.startsWith(`${name}=`))).toEqual([]);
    }
    if (c.charts !== undefined) expect(entries(v.chartsImageVectorOverwrite)).toEqual(c.charts);
    if (c.components !== undefined)
      expect(components(v.componentImageVectorOverwrites)).toEqual(c.components);
  });
});

describe("image vector overwrite entries", () => {
  const rows: {
    name: string;
    vector: ImageSource[];
    overwrite: Record<string, string>;
    want: ImageSource[];
  }[] = [
    {
      name: "repository: rewritten, no tag (gardener keeps the built-in one)",
      vector: [{ name: "a", repository: "quay.io/x/a" }],
      overwrite: { "quay.io": "m.example" },
      want: [{ name: "a", repository: "m.example/x/a" }],
    },
    {
      name: "the merge key (runtimeVersion, targetVersion, architectures) is copied",
      vector: [
        {
          name: "a",
          repository: "quay.io/a",
          runtimeVersion: ">= 1.30",
          targetVersion: "1.33.x",
          architectures: ["arm64"],
        },
      ],
      overwrite: { "quay.io": "m.example" },
      want: [
        {
          name: "a",
          runtimeVersion: ">= 1.30",
          targetVersion: "1.33.x",
          architectures: ["arm64"],
          repository: "m.example/a",
        },
      ],
    },
    {
      name: "ref: rewritten as a ref (a repository would drop the built-in ref and leave no tag)",
      vector: [{ name: "a", ref: "quay.io/x/a:v1" }],
      overwrite: { "quay.io": "m.example" },
      want: [{ name: "a", ref: "m.example/x/a:v1" }],
    },
    {
      name: "unmatched images are left out",
      vector: [
        { name: "a", repository: "quay.io/a" },
        { name: "b", repository: "ghcr.io/b" },
      ],
      overwrite: { "ghcr.io": "m.example/ghcr" },
      want: [{ name: "b", repository: "m.example/ghcr/b" }],
    },
  ];
  it.each(rows)("$name", (r) => {
    expect(rewrittenImages(r.vector, r.overwrite)).toEqual(r.want);
  });

  it("lists every image of the release once per key, with no tag, each key one of the release's", () => {
    expect(V1_149_3).toBeDefined();
    const v = gardenerOperatorValues(
      { "europe-docker.pkg.dev": "m", "registry.k8s.io": "m", "quay.io": "m", "gcr.io": "m" },
      "v1.149.3",
    );
    const written = (parse(v.imageVectorOverwrite as string) as { images: Record<string, unknown>[] }).images;
    const key = (i: Record<string, unknown>): string =>
      JSON.stringify([i.name, i.runtimeVersion, i.targetVersion, i.architectures]);
    expect(written.map(key)).toEqual(V1_149_3?.containers.map((i) => key({ ...i })));
    for (const i of written) {
      expect(Object.keys(i)).not.toContain("tag");
      expect(Object.keys(i).filter((k) => k === "repository" || k === "ref")).toHaveLength(1);
    }
  });
});

describe("gardener-operator-base-values in the fan-out", () => {
  const config = (overwrite: string): ReturnType<typeof resolveOffline> =>
    resolveOffline(
      "domains:\n  global:\n    domain: example.org\n    provider: aws-route53\n    credentials:\n      AWS_ACCESS_KEY_ID: aQ==\n      AWS_SECRET_ACCESS_KEY: cw==\nissuer:\n  acme:\n    email: ops@example.org\n",
      overwrite,
    );
  const doc = (
    c: ReturnType<typeof resolveOffline>,
    gardener?: string,
  ): Record<string, unknown> | undefined =>
    fanOut(c, {
      systemNamespace: "23ke-system",
      cluster: NO_VPA,
      ...(gardener === undefined ? {} : { gardener }),
    }).find((d) => d.component === "gardener-operator")?.values;

  it.each([
    { name: "written empty without an overwrite", overwrite: "{}\n", gardener: "v1.149.3", empty: true },
    {
      name: "written empty without a release",
      overwrite: `registryOverwrite:\n  ${RELEASES}: m.example\n`,
      empty: true,
    },
    {
      name: "the overwrite for the catalog's release",
      overwrite: `registryOverwrite:\n  ${RELEASES}: m.example\n`,
      gardener: "v1.149.3",
      empty: false,
    },
  ])("$name", (r) => {
    const v = doc(config(r.overwrite), r.gardener);
    expect(v).toBeDefined();
    expect(Object.keys(v ?? {}).length === 0).toBe(r.empty);
    if (!r.empty) expect(v?.image).toEqual({ repository: "m.example/gardener/operator" });
  });
});

describe("image data per Gardener release", () => {
  // A catalog whose release has no data gets no overwrite of gardener-operator's images: the
  // data for a new release comes from tools/gardener-image-vector.mjs (see
  // src/config/gardener-image-vectors/index.ts). Preview catalogs may go without for a while.
  it.each(
    catalogVersions()
      .map((v) => loadCatalog(v))
      .filter((c) => c.flavour === "operator" && c.preview !== true),
  )("catalog $version (Gardener $gardener) has image data", (catalog) => {
    expect(gardenerImageVersions()).toContain(catalog.gardener);
  });

  it.each(gardenerImageVersions())("%s: reads as valid data of its own release", (version) => {
    const data = gardenerImages(version);
    expect(data?.gardener).toBe(version);
    expect(data?.containers.length).toBeGreaterThan(0);
  });

  it("rejects a data file that names another release or an entry with repository and ref", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "image-vectors-"));
    try {
      const text = readFileSync(path.join(imageVectorDir, "v1.149.3.yaml"), "utf8");
      writeFileSync(path.join(dir, "v1.149.4.yaml"), text);
      expect(() => gardenerImages("v1.149.4", dir)).toThrow(ValidationError);
      writeFileSync(
        path.join(dir, "v1.149.3.yaml"),
        text.replace(
          "  - name: gardener-apiserver\n",
          "  - name: gardener-apiserver\n    ref: example.org/apiserver:v1\n",
        ),
      );
      expect(() => gardenerImages("v1.149.3", dir)).toThrow(ValidationError);
      expect(gardenerImages("v9.9.9", dir)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
