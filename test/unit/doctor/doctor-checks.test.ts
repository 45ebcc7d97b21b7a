/**
 * The decisions of `23ke doctor`'s checks, as tables: facts in, the findings' severities and the
 * words that matter out. The facts start from a healthy, installed chart-based landscape (or a
 * bare cluster) and each row changes one thing.
 */
import { describe, expect, it } from "vitest";
import { loadCatalog } from "../../../src/catalog/load-catalog.js";
import { VPA_CRD } from "../../../src/config/cluster-facts.js";
import { checkCertManager } from "../../../src/doctor/checks/cert-manager.js";
import { checkComponents } from "../../../src/doctor/checks/components.js";
import { checkCatalog, checkConfig } from "../../../src/doctor/checks/config.js";
import { checkDnsProvider, checkIssuer } from "../../../src/doctor/checks/dns-and-issuer.js";
import { checkHelmReleases } from "../../../src/doctor/checks/helm-releases.js";
import { checkIngressController } from "../../../src/doctor/checks/ingress-controller.js";
import { checkKubernetesApi } from "../../../src/doctor/checks/kubernetes-api.js";
import { checkKubernetesVersion } from "../../../src/doctor/checks/kubernetes-version.js";
import { checkLoadBalancer } from "../../../src/doctor/checks/load-balancer.js";
import { accessQuestions, checkRbac } from "../../../src/doctor/checks/rbac.js";
import { checkStorageClass } from "../../../src/doctor/checks/storage-class.js";
import { checkGit, checkHelm } from "../../../src/doctor/checks/tools.js";
import { checkVirtualGarden } from "../../../src/doctor/checks/virtual-garden.js";
import { checkVpa } from "../../../src/doctor/checks/vpa.js";
import { diagnose } from "../../../src/doctor/diagnose.js";
import type { ClusterFacts, DoctorFacts } from "../../../src/doctor/doctor-facts.js";
import { worstSeverity, type Finding, type Severity } from "../../../src/doctor/findings.js";
import { doctorExitCode } from "../../../src/cli/commands/doctor.js";
import type { ComponentRecord } from "../../../src/status/component-state.js";

const NOW = Date.parse("2026-09-01T12:00:00Z");
const MIN = 60_000;
const c186 = loadCatalog("1.86");
const c149 = loadCatalog("1.149");

function record(component: string, over: Partial<ComponentRecord> = {}): ComponentRecord {
  return {
    component,
    stage: "pre-gardener",
    target: "base",
    release: `garden-${component}`,
    namespace: "garden",
    chart: { repository: "r", name: component, version: "1.0.0" },
    ready: true,
    state: "ready",
    reason: "Succeeded",
    message: "ready",
    ...over,
  };
}

const ready = (apiVersion: string, kind: string, name: string) => ({
  apiVersion,
  kind,
  metadata: { name, namespace: "garden", generation: 1 },
  status: { observedGeneration: 1, state: "Ready" },
});

const helmOwner = (namespace: string, name: string) => ({ helmRelease: { namespace, name } });

/** A healthy cluster with an installed chart-based landscape. */
function cluster(over: Partial<ClusterFacts> = {}): ClusterFacts {
  return {
    server: "https://127.0.0.1:6443",
    version: { value: "v1.28.4" },
    identity: { value: { username: "admin", groups: ["system:masters"] } },
    access: { value: accessQuestions(c186, "23ke-system").map((q) => ({ ...q, allowed: true })) },
    storageClasses: { value: [{ name: "standard", provisioner: "csi.example", default: true }] },
    loadBalancers: {
      value: [
        {
          namespace: "garden",
          name: "garden-ingress-nginx-controller",
          addresses: ["203.0.113.7"],
          createdAt: NOW - 60 * MIN,
        },
      ],
    },
    crds: {
      value: [
        {
          kind: "CustomResourceDefinition",
          name: "certificates.cert-manager.io",
          owner: helmOwner("kube-system", "kube-system-cert-manager"),
        },
        { kind: "CustomResourceDefinition", name: VPA_CRD, owner: { managedBy: "gke" } },
      ],
    },
    ingressClasses: {
      value: [
        {
          kind: "IngressClass",
          name: "nginx",
          controller: "k8s.io/ingress-nginx",
          owner: helmOwner("garden", "garden-ingress-nginx"),
        },
      ],
    },
    workloads: { value: [] },
    releases: {
      value: [{ name: "garden-ingress-nginx", namespace: "garden", revision: 3, status: "deployed" }],
    },
    applyLock: { value: undefined },
    status: { value: { records: [record("ingress-nginx")], invalid: [], catalog: "1.86" } },
    dnsProviders: { value: [ready("dns.gardener.cloud/v1alpha1", "DNSProvider", "base-dns-provider")] },
    issuers: { value: [ready("cert.gardener.cloud/v1alpha1", "Issuer", "default-issuer")] },
    virtualGarden: {
      value: {
        source: "Secret 23ke-system/gardener-internal-kubeconfig",
        kubeconfig: true,
        reachable: true,
        message: "ready",
      },
    },
    ...over,
  };
}

function facts(over: Partial<DoctorFacts> = {}, clusterOver: Partial<ClusterFacts> = {}): DoctorFacts {
  return {
    now: NOW,
    systemNamespace: "23ke-system",
    catalog: { catalog: c186, origin: "installed", installed: "1.86" },
    config: { source: "Secret 23ke-system/23ke-config", state: "valid", problems: [], problemCount: 0 },
    helm: { path: "/usr/bin/helm", version: "v4.2.4" },
    git: { path: "/usr/bin/git", version: "2.47.3" },
    cluster: { reachable: true, ...cluster(clusterOver) },
    ...over,
  };
}

/** A bare cluster: nothing installed, nothing recorded. */
function bare(clusterOver: Partial<ClusterFacts> = {}, over: Partial<DoctorFacts> = {}): DoctorFacts {
  return facts(
    { catalog: { catalog: c186, origin: "newest" }, ...over },
    {
      loadBalancers: { value: [] },
      crds: { value: [] },
      ingressClasses: { value: [] },
      releases: { value: [] },
      status: { value: { records: [], invalid: [] } },
      dnsProviders: { value: undefined },
      issuers: { value: undefined },
      virtualGarden: {
        value: {
          source: "Secret 23ke-system/gardener-internal-kubeconfig",
          kubeconfig: false,
          reachable: false,
          message: "no kubeconfig yet",
        },
      },
      ...clusterOver,
    },
  );
}

function verdict(fs: Finding[]): [Severity[], string] {
  return [fs.map((f) => f.severity), fs.map((f) => `${f.message} → ${f.advice}`).join("\n")];
}

type Row = [string, Finding[], Severity[], RegExp];

function table(rows: Row[]): void {
  it.each(rows)("%s", (_name, found, severities, words) => {
    const [sev, text] = verdict(found);
    expect(sev).toEqual(severities);
    expect(text).toMatch(words);
  });
}

describe("kubernetes-api", () => {
  table([
    ["answers, with the identity", checkKubernetesApi(facts()), ["ok"], /answers; 23ke talks to it as admin/],
    [
      "unreachable: an error, and the cluster checks are silent",
      checkKubernetesApi(facts({ cluster: { reachable: false, error: "connect ECONNREFUSED" } })),
      ["error"],
      /cannot be reached: connect ECONNREFUSED.*--kubeconfig/,
    ],
  ]);
  it("an unreachable cluster leaves only the tool, config and catalog findings besides", () => {
    const found = diagnose(facts({ cluster: { reachable: false, error: "refused" } }));
    expect(found.map((f) => f.check)).toEqual(["helm", "git", "config", "catalog", "kubernetes-api"]);
  });
});

describe("kubernetes-version against the catalog's range", () => {
  const withCatalog = (v: string, catalog = c186) =>
    checkKubernetesVersion(facts({ catalog: { catalog, origin: "flag" } }, { version: { value: v } }));
  table([
    ["1.28 within 1.24–1.28", withCatalog("v1.28.4"), ["ok"], /within 1\.24 to 1\.28/],
    ["1.24.0 at the lower bound", withCatalog("v1.24.0"), ["ok"], /within/],
    [
      "1.23 too old",
      withCatalog("v1.23.17"),
      ["error"],
      /older than Gardener v1\.86\.0.*upgrade the base cluster to Kubernetes 1\.24/,
    ],
    ["1.36 too new for 1.86", withCatalog("v1.36.3"), ["error"], /newer than.*23ke catalogs/],
    ["1.36 within 1.149's 1.32–1.36", withCatalog("v1.36.3", c149), ["ok"], /within 1\.32 to 1\.36/],
    ["a provider suffix is read", withCatalog("v1.33.5-gke.1200", c149), ["ok"], /within/],
    [
      "a catalog without a range",
      withCatalog("v1.30.0", { ...c186, baseClusterKubernetes: undefined }),
      ["info"],
      /names no supported range/,
    ],
    [
      "unreadable version",
      checkKubernetesVersion(facts({}, { version: { error: "403 forbidden" } })),
      ["warning"],
      /could not read the Kubernetes version/,
    ],
  ]);
});

describe("rbac", () => {
  const denied = (questions: string[], username = "alice") =>
    facts(
      {},
      {
        identity: { value: { username, groups: [] } },
        access: {
          value: accessQuestions(c186, "23ke-system").map((q) => ({
            ...q,
            allowed: !questions.includes(`${q.verb} ${q.resource}`),
          })),
        },
      },
    );
  table([
    ["everything allowed", checkRbac(facts()), ["ok"], /may do what an apply needs/],
    [
      "no escalate or bind on cluster roles",
      checkRbac(denied(["escalate clusterroles", "bind clusterroles"])),
      ["error"],
      /alice may not: escalate clusterroles\.rbac\.authorization\.k8s\.io; bind clusterroles.*--user=alice/,
    ],
    [
      "a service account is told with --serviceaccount",
      checkRbac(denied(["create customresourcedefinitions"], "system:serviceaccount:ops:deployer")),
      ["error"],
      /create customresourcedefinitions\.apiextensions\.k8s\.io.*--serviceaccount=ops:deployer/,
    ],
    [
      "secrets in the system namespace",
      checkRbac(denied(["patch secrets"])),
      ["error"],
      /patch secrets in 23ke-system/,
    ],
    [
      "the review itself failed",
      checkRbac(facts({}, { access: { error: "404" } })),
      ["warning"],
      /could not read/,
    ],
  ]);
  it("asks for Helm's storage and workloads in every base release namespace of the catalog", () => {
    const asked = accessQuestions(c186, "23ke-system").map(
      (q) => `${q.verb} ${q.resource} ${q.namespace ?? "-"}`,
    );
    expect(asked).toEqual(
      expect.arrayContaining([
        "create secrets kube-system",
        "create deployments garden",
        "create secrets velero",
      ]),
    );
    expect(asked).toContain("update leases 23ke-system");
    expect(asked).toContain("escalate clusterroles -");
  });
});

describe("storage-class", () => {
  const classes = (...cs: [string, boolean][]) =>
    checkStorageClass(
      facts(
        {},
        { storageClasses: { value: cs.map(([name, d]) => ({ name, provisioner: "p", default: d })) } },
      ),
    );
  table([
    ["one default", classes(["standard", true]), ["ok"], /default StorageClass standard/],
    ["none at all", classes(), ["error"], /no StorageClass.*install a storage provisioner/],
    [
      "classes but no default",
      classes(["slow", false], ["fast", false]),
      ["error"],
      /no default StorageClass \(there are slow, fast\).*kubectl annotate storageclass slow.*etcd-values/,
    ],
    ["two defaults", classes(["a", true], ["b", true]), ["warning"], /2 StorageClasses are marked default/],
  ]);
  it("the operator flavour's advice names the Garden", () => {
    const [, text] = verdict(
      checkStorageClass(
        facts({ catalog: { catalog: c149, origin: "flag" } }, { storageClasses: { value: [] } }),
      ),
    );
    expect(text).toMatch(/no StorageClass/);
    const [, text2] = verdict(
      checkStorageClass(
        facts(
          { catalog: { catalog: c149, origin: "flag" } },
          { storageClasses: { value: [{ name: "x", provisioner: "p", default: false }] } },
        ),
      ),
    );
    expect(text2).toMatch(/garden-values \(virtualCluster\.etcd\.main\.storage/);
  });
});

describe("load-balancer", () => {
  const lb = (namespace: string, addresses: string[], ageMin: number | undefined, catalog = c186) =>
    checkLoadBalancer(
      facts(
        { catalog: { catalog, origin: "flag" } },
        {
          loadBalancers: {
            value: [
              {
                namespace,
                name: "svc",
                addresses,
                ...(ageMin === undefined ? {} : { createdAt: NOW - ageMin * MIN }),
              },
            ],
          },
        },
      ),
    );
  table([
    ["an address", lb("garden", ["203.0.113.7"], 60), ["ok"], /garden\/svc \(203\.0\.113\.7\)/],
    [
      "the landscape's, waiting briefly",
      lb("garden", [], 1),
      ["info"],
      /waits for a LoadBalancer address for 60 s/,
    ],
    [
      "the landscape's, without an address for long",
      lb("garden", [], 30),
      ["error"],
      /the landscape's Service garden\/svc has no LoadBalancer address for 30 minutes.*MetalLB/,
    ],
    [
      "the operator flavour's istio gateway",
      lb("virtual-garden-istio-ingress", [], 30, c149),
      ["error"],
      /landscape's Service virtual-garden-istio-ingress\/svc/,
    ],
    [
      "istio's namespace is no landscape's in the chart-based flavour, and only a hint",
      lb("virtual-garden-istio-ingress", [], 30),
      ["warning"],
      /may not hand out LoadBalancer addresses, and the chart-based flavour needs one for ingress-nginx/,
    ],
    [
      "someone else's, for long",
      lb("default", [], 10, c149),
      ["warning"],
      /the operator flavour needs them for gardener-operator's istio ingress gateway/,
    ],
    [
      "none yet: what each flavour needs",
      checkLoadBalancer(facts({}, { loadBalancers: { value: [] } })),
      ["info"],
      /no Service of type LoadBalancer yet.*ingress-nginx \(namespace garden/,
    ],
  ]);
});

describe("cert-manager and ingress-controller: installed by someone else", () => {
  const crd = (owner: object) => ({
    crds: { value: [{ kind: "CustomResourceDefinition", name: "certificates.cert-manager.io", owner }] },
  });
  table([
    [
      "23ke's own",
      checkCertManager(facts()),
      ["ok"],
      /cert-manager is 23ke's \(Helm release kube-system\/kube-system-cert-manager\)/,
    ],
    [
      "none yet",
      checkCertManager(facts({}, { crds: { value: [] } })),
      ["ok"],
      /no cert-manager yet: 23ke installs it/,
    ],
    [
      "another Helm release",
      checkCertManager(facts({}, crd(helmOwner("cert-manager", "cert-manager")))),
      ["error"],
      /already installed by someone else: CustomResourceDefinition certificates\.cert-manager\.io \(by Helm release cert-manager\/cert-manager\)/,
    ],
    [
      "a Flux HelmRelease of another name",
      checkCertManager(
        facts({}, crd({ helmRelease: { namespace: "cert-manager", name: "cm" }, flux: "flux-system/cm" })),
      ),
      ["error"],
      /Helm release cert-manager\/cm, Flux HelmRelease flux-system\/cm/,
    ],
    [
      "a Deployment without labels",
      checkCertManager(
        facts(
          {},
          {
            crds: { value: [] },
            workloads: {
              value: [
                {
                  kind: "Deployment",
                  namespace: "ops",
                  name: "cert-manager",
                  app: "cert-manager",
                  owner: {},
                },
              ],
            },
          },
        ),
      ),
      ["error"],
      /Deployment ops\/cert-manager \(by an unknown installer/,
    ],
    [
      "the operator flavour installs none: no conflict",
      checkCertManager(facts({ catalog: { catalog: c149, origin: "flag" } }, crd(helmOwner("cm", "cm")))),
      ["info"],
      /the operator flavour installs none/,
    ],
    [
      "only ours",
      checkIngressController(facts()),
      ["ok"],
      /only the landscape's ingress controller \(class nginx\)/,
    ],
    [
      "class nginx of another release",
      checkIngressController(
        facts(
          {},
          {
            ingressClasses: {
              value: [
                {
                  kind: "IngressClass",
                  name: "nginx",
                  controller: "k8s.io/ingress-nginx",
                  owner: helmOwner("ingress", "ingress"),
                },
              ],
            },
          },
        ),
      ),
      ["error"],
      /IngressClass nginx exists already: IngressClass nginx \(by Helm release ingress\/ingress, controller k8s\.io\/ingress-nginx\)/,
    ],
    [
      "another controller with another class coexists",
      checkIngressController(
        facts(
          {},
          {
            ingressClasses: {
              value: [
                {
                  kind: "IngressClass",
                  name: "traefik",
                  controller: "traefik.io/ingress-controller",
                  owner: { managedBy: "k3s" },
                },
              ],
            },
          },
        ),
      ),
      ["info"],
      /another ingress controller is installed: IngressClass traefik \(by managed by k3s/,
    ],
    [
      "operator flavour: someone's nginx is no conflict",
      checkIngressController(
        facts(
          { catalog: { catalog: c149, origin: "flag" } },
          {
            ingressClasses: {
              value: [
                {
                  kind: "IngressClass",
                  name: "nginx",
                  controller: "k8s.io/ingress-nginx",
                  owner: helmOwner("a", "b"),
                },
              ],
            },
          },
        ),
      ),
      ["info"],
      /coexists with the landscape's, whose Ingresses name class nginx-ingress-gardener/,
    ],
  ]);
});

describe("vpa", () => {
  const vpa = (
    present: boolean,
    mode: "auto" | "install" | "off" | undefined,
    catalog = c186,
    owner: object = {},
  ) =>
    checkVpa(
      facts(
        {
          catalog: { catalog, origin: "flag" },
          config: {
            source: "x",
            state: "valid",
            problems: [],
            problemCount: 0,
            ...(mode === undefined ? {} : { vpaMode: mode }),
          },
        },
        { crds: { value: present ? [{ kind: "CustomResourceDefinition", name: VPA_CRD, owner }] : [] } },
      ),
    );
  table([
    [
      "absent, auto",
      vpa(false, "auto"),
      ["info"],
      /no VPA CRDs \(baseCluster\.vpa: auto\).*set baseCluster\.vpa: install/,
    ],
    [
      "absent, config not read",
      vpa(false, undefined),
      ["info"],
      /baseCluster\.vpa: auto, assumed: the 23ke-config was not read\)/,
    ],
    ["absent, install", vpa(false, "install"), ["ok"], /23ke installs them/],
    ["absent, off", vpa(false, "off"), ["info"], /baseCluster\.vpa is off/],
    [
      "present, the cluster's",
      vpa(true, "auto", c186, { managedBy: "gke" }),
      ["ok"],
      /serves the VPA CRDs \(by managed by gke\)/,
    ],
    [
      "present, 23ke's",
      vpa(true, "install", c186, helmOwner("23ke-system", "23ke-system-vpa-crds")),
      ["ok"],
      /are 23ke's/,
    ],
    ["present but off", vpa(true, "off"), ["info"], /set baseCluster\.vpa: auto/],
    ["operator flavour, absent", vpa(false, "auto", c149), ["info"], /gardener-operator deploys a VPA/],
  ]);
});

describe("helm and git", () => {
  table([
    ["helm 4", checkHelm(facts()), ["ok"], /helm v4\.2\.4/],
    [
      "helm 3",
      checkHelm(facts({ helm: { path: "/h", version: "v3.14.0" } })),
      ["error"],
      /23ke drives Helm 4.*--helm/,
    ],
    [
      "no helm",
      checkHelm(facts({ helm: { problem: "no helm binary found" } })),
      ["error"],
      /no usable helm: no helm binary found/,
    ],
    ["git", checkGit(facts()), ["ok"], /git 2\.47\.3/],
    ["old git", checkGit(facts({ git: { path: "/g", version: "2.30.9" } })), ["warning"], /older than 2\.31/],
    [
      "no git",
      checkGit(facts({ git: { problem: "no git on PATH" } })),
      ["warning"],
      /no usable git.*--values-dir/,
    ],
  ]);
});

describe("config and catalog", () => {
  const config = (
    state: "valid" | "invalid" | "missing" | "unreadable",
    problems: string[] = [],
    count = problems.length,
  ) => ({
    config: { source: "Secret 23ke-system/23ke-config", state, problems, problemCount: count },
  });
  table([
    ["valid", checkConfig(facts(config("valid"))), ["ok"], /is valid/],
    [
      "invalid, some shown",
      checkConfig(facts(config("invalid", ["a: bad", "b: bad", "c: bad"], 5))),
      ["error"],
      /5 problem\(s\): a: bad; b: bad; c: bad; and 2 more.*23ke validate/,
    ],
    [
      "missing before an install",
      checkConfig(bare({}, config("missing", ["not found"]))),
      ["info"],
      /no 23ke-config in the cluster yet.*-f/,
    ],
    ["missing after one", checkConfig(facts(config("missing", ["not found"]))), ["error"], /applied before/],
    ["unreadable", checkConfig(facts(config("unreadable", ["403"]))), ["warning"], /could not read/],
    [
      "catalog as installed",
      checkCatalog(facts()),
      ["ok"],
      /catalog 1\.86 \(chart-based, Gardener v1\.86\.0\), the landscape's installed catalog/,
    ],
    [
      "a version skew",
      checkCatalog(
        facts({
          catalog: {
            catalog: c186,
            origin: "flag",
            installed: "1.149",
            skew: "downgrading Gardener is not supported",
          },
        }),
      ),
      ["error"],
      /named by --catalog: downgrading.*one Gardener minor version at a time/,
    ],
    [
      "a preview",
      checkCatalog(facts({ catalog: { catalog: { ...c149, preview: true }, origin: "flag" } })),
      ["info"],
      /a preview catalog/,
    ],
  ]);
});

describe("components, Helm releases, DNSProvider, Issuer, virtual garden: after an install", () => {
  const releases = (status: string, startedMinAgo?: number, name = "garden-ingress-nginx", lock?: number) =>
    checkHelmReleases(
      facts(
        {},
        {
          releases: {
            value: [
              {
                name,
                namespace: "garden",
                revision: 4,
                status,
                ...(startedMinAgo === undefined ? {} : { startedAt: NOW - startedMinAgo * MIN }),
              },
            ],
          },
          applyLock: {
            value:
              lock === undefined
                ? undefined
                : { holder: "laptop/42/abc", renewedAt: NOW - lock * 1000, durationSeconds: 60 },
          },
        },
      ),
    );
  const state = (kind: "DNSProvider" | "Issuer", s: Record<string, unknown> | undefined) => {
    const o = {
      apiVersion: kind === "DNSProvider" ? "dns.gardener.cloud/v1alpha1" : "cert.gardener.cloud/v1alpha1",
      kind,
      metadata: { name: "x", namespace: "garden", generation: 1 },
      ...(s === undefined ? {} : { status: { observedGeneration: 1, ...s } }),
    };
    return kind === "DNSProvider"
      ? checkDnsProvider(facts({}, { dnsProviders: { value: [o] } }))
      : checkIssuer(facts({}, { issuers: { value: [o] } }));
  };
  const vg = (kubeconfig: boolean, reachable: boolean, f: (o: Partial<ClusterFacts>) => DoctorFacts) =>
    checkVirtualGarden(
      f({
        virtualGarden: {
          value: { source: "Secret s/k", kubeconfig, reachable, message: "connect ECONNREFUSED" },
        },
      }),
    );
  table([
    ["all ready", checkComponents(facts()), ["ok"], /1 component\(s\) Ready/],
    [
      "a failed component with its message",
      checkComponents(
        facts(
          {},
          {
            status: {
              value: {
                records: [
                  record("etcd", {
                    ready: false,
                    state: "failed",
                    reason: "HealthCheckFailed",
                    message: "0/1 replicas ready",
                  }),
                ],
                invalid: [],
              },
            },
          },
        ),
      ),
      ["error"],
      /component etcd is failed \(HealthCheckFailed\): 0\/1 replicas ready/,
    ],
    [
      "a blocked one",
      checkComponents(
        facts(
          {},
          {
            status: {
              value: {
                records: [record("x", { ready: false, state: "blocked", message: "waits for etcd" })],
                invalid: [],
              },
            },
          },
        ),
      ),
      ["warning"],
      /blocked/,
    ],
    [
      "nothing applied",
      checkComponents(bare()),
      ["info"],
      /nothing applied yet in system namespace 23ke-system/,
    ],
    ["releases deployed", releases("deployed"), ["ok"], /1 Helm release\(s\), none pending or failed/],
    [
      "ours left pending",
      releases("pending-upgrade", 20),
      ["warning"],
      /garden\/garden-ingress-nginx revision 4 is left pending-upgrade since 20 minutes.*the next 23ke apply recovers it/,
    ],
    [
      "someone else's pending",
      releases("pending-install", 20, "other"),
      ["warning"],
      /helm rollback -n garden other/,
    ],
    [
      "pending while an apply holds the lock",
      releases("pending-install", 1, "garden-ingress-nginx", 10),
      ["info"],
      /while an apply runs \(laptop\/42\/abc\)/,
    ],
    [
      "pending, the lock expired",
      releases("pending-install", 30, "garden-ingress-nginx", 600),
      ["warning"],
      /left pending-install/,
    ],
    ["failed", releases("failed"), ["warning"], /revision 4 failed.*23ke's: the next apply/],
    ["DNSProvider ready", state("DNSProvider", { state: "Ready" }), ["ok"], /DNSProvider garden\/x is Ready/],
    [
      "DNSProvider rejected with the controller's words",
      state("DNSProvider", {
        state: "Error",
        message: "InvalidClientTokenId: The security token included in the request is invalid",
      }),
      ["error"],
      /DNSProvider garden\/x reports Error: InvalidClientTokenId.*domains\.global\.credentials/,
    ],
    [
      "DNSProvider pending",
      state("DNSProvider", { state: "Pending", message: "checking" }),
      ["warning"],
      /not Ready: state Pending: checking/,
    ],
    [
      "Issuer rejected",
      state("Issuer", { state: "Error", message: "acme: urn:ietf:params:acme:error:invalidContact" }),
      ["error"],
      /invalidContact.*issuer\.acme\.email/,
    ],
    [
      "no Issuer kind yet",
      checkIssuer(bare()),
      ["info"],
      /the Issuer kind is not served yet: cert-management brings it/,
    ],
    [
      "issuer disabled",
      checkIssuer(
        bare(
          { issuers: { value: [] } },
          { config: { source: "x", state: "valid", problems: [], problemCount: 0, issuerEnabled: false } },
        ),
      ),
      ["ok"],
      /issuer\.enabled is false/,
    ],
    ["virtual garden answers", vg(true, true, (o) => facts({}, o)), ["ok"], /answers/],
    [
      "none before an install",
      vg(false, false, (o) => bare(o)),
      ["info"],
      /no virtual garden yet: the kube-apiserver component/,
    ],
    [
      "no kubeconfig after an install",
      vg(false, false, (o) => facts({}, o)),
      ["warning"],
      /no kubeconfig of the virtual garden/,
    ],
    [
      "does not answer after an install",
      vg(true, false, (o) => facts({}, o)),
      ["error"],
      /does not answer.*--virtual-kubeconfig/,
    ],
  ]);
});

describe("the verdict", () => {
  it("a healthy installed landscape is all ok", () => {
    const found = diagnose(facts());
    expect(found.filter((f) => f.severity !== "ok").map((f) => `${f.check}: ${f.message}`)).toEqual([]);
    expect(worstSeverity(found)).toBe("ok");
  });
  it("a bare cluster says what an install needs, without errors", () => {
    const found = diagnose(bare());
    expect(worstSeverity(found)).toBe("info");
    expect(found.filter((f) => f.severity === "info").map((f) => f.check)).toEqual([
      "load-balancer",
      "vpa",
      "components",
      "dnsprovider",
      "issuer",
      "virtual-garden",
    ]);
  });
  it.each([
    ["ok", 0],
    ["info", 0],
    ["warning", 1],
    ["error", 4],
  ] as const)("exit code of %s is %d", (s, code) => {
    expect(doctorExitCode(s)).toBe(code);
  });
});
