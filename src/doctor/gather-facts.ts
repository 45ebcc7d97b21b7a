/**
 * Gathers the facts `23ke doctor` judges, through the modules that own each door: the base
 * cluster's client (src/kube, including its access reviews), Helm's release storage (src/helm),
 * the status store, the virtual garden's probe, and what the caller found of helm and git. Only
 * reads: doctor changes nothing anywhere.
 *
 * Every read is caught on its own, so a forbidden list becomes a finding and not the end of the
 * doctor. Nothing read here is kept beyond names, versions, states and controllers' messages:
 * Secret data (the 23ke-config, Helm's release records) never leaves the function that reads it.
 */
import type { Catalog } from "../catalog/catalog-schema.js";
import { checkConfig, deriveConfig, offlineGeneratedSecrets, type ConfigLayer } from "../config/index.js";
import { VPA_CRD } from "../config/cluster-facts.js";
import { terminatingInUse } from "../config/in-use-protection.js";
import { describeError, formatProblem, TwentyThreeKeError, ValidationError } from "../errors/errors.js";
import { listStoredReleases } from "../helm/release-storage.js";
import { reviewAccess, whoAmI } from "../kube/access-review.js";
import { KubeNotFoundError, type KubeClient, type KubeObject } from "../kube/client.js";
import { LOCK_NAME } from "../reconcile/apply-lock.js";
import { StatusStore } from "../reconcile/status-store.js";
import { Reason } from "../status/reasons.js";
import { CERT_MANAGER_CRD } from "./checks/cert-manager.js";
import { accessQuestions } from "./checks/rbac.js";
import type {
  CatalogFacts,
  ClusterFacts,
  ConfigFacts,
  DoctorFacts,
  Owner,
  Read,
  StatefulObject,
  StatusFacts,
  ToolFact,
  VirtualGardenFact,
} from "./doctor-facts.js";

/** What the virtual garden's probe answers (src/reconcile/virtual-garden.ts). */
export interface VirtualGardenProbe {
  readonly source: string;
  probe(): Promise<{ kubeconfig: boolean; handle?: unknown; message: string }>;
  close(): void;
}

export interface GatherInput {
  base: KubeClient;
  systemNamespace: string;
  /** Where the 23ke-config is read from, for messages, and how. */
  config: { source: string; read: () => Promise<ConfigLayer[]> };
  /**
   * The catalog an apply would use, chosen with what the cluster says (the config's key, the
   * installed catalog) and checked for version skew.
   */
  chooseCatalog: (i: {
    configKey: string | undefined;
    recorded: string | undefined;
    hasRecords: boolean;
  }) => Promise<CatalogFacts>;
  /** The virtual garden's probe for a catalog (its access Secret differs per flavour). */
  virtualGarden: (catalog: Catalog) => VirtualGardenProbe;
  helm: () => Promise<ToolFact>;
  git: () => Promise<ToolFact>;
  now: () => number;
}

async function read<T>(f: () => Promise<T>): Promise<Read<T>> {
  try {
    return { value: await f() };
  } catch (e) {
    return { error: describeError(e) };
  }
}

export async function gatherDoctorFacts(i: GatherInput): Promise<DoctorFacts> {
  const [helm, git, reach] = await Promise.all([i.helm(), i.git(), reachable(i.base)]);
  const ns = i.systemNamespace;
  // The status first: the catalog is chosen with what it recorded.
  const status: Read<StatusFacts> =
    "error" in reach ? { error: reach.error } : await read(() => readStatus(i.base, ns));
  const config = await readConfig(i.config);
  const catalog = await i.chooseCatalog({
    configKey: config.catalogKey,
    recorded: "value" in status ? status.value.catalog : undefined,
    hasRecords: "value" in status && status.value.records.length > 0,
  });
  const facts = { now: i.now(), systemNamespace: ns, catalog, config: config.facts, helm, git };
  if ("error" in reach) return { ...facts, cluster: { reachable: false, error: reach.error } };
  const cluster = await readCluster(i.base, i, catalog.catalog, status, reach.identity, reach.version);
  return { ...facts, cluster: { reachable: true, ...cluster } };
}

/** /version answers, and the credentials are accepted; else why not. */
async function reachable(
  client: KubeClient,
): Promise<{ error: string } | { version: string; identity: ClusterFacts["identity"] }> {
  let version: string;
  try {
    version = (await client.version()).gitVersion;
  } catch (e) {
    return { error: describeError(e) };
  }
  const identity = await read(() => whoAmI(client));
  // /version is public; a rejected token shows on the first authenticated request.
  if ("error" in identity && /: 401 /.test(identity.error))
    return { error: `${client.server} rejected the credentials (401 Unauthorized)` };
  return { version, identity };
}

async function readStatus(client: KubeClient, ns: string): Promise<StatusFacts> {
  const invalid: string[] = [];
  const store = new StatusStore(client, ns, { onInvalid: (x) => invalid.push(x.key) });
  const records = [...(await store.readAll()).values()];
  const summary = await store.readSummary();
  const catalog = await store.readCatalog();
  return {
    records,
    invalid,
    ...(summary === undefined ? {} : { summary }),
    ...(catalog === undefined ? {} : { catalog }),
  };
}

/** The 23ke-config's verdict, the values doctor needs from it, and its `catalog` key. */
async function readConfig(
  c: GatherInput["config"],
): Promise<{ facts: ConfigFacts; catalogKey: string | undefined }> {
  const facts = (state: ConfigFacts["state"], problems: string[], count = problems.length): ConfigFacts => ({
    source: c.source,
    state,
    problems: problems.slice(0, 3),
    problemCount: count,
  });
  let layers: ConfigLayer[];
  try {
    layers = await c.read();
  } catch (e) {
    if (e instanceof ValidationError)
      return {
        facts: facts("invalid", e.problems.map(formatProblem), e.problems.length),
        catalogKey: undefined,
      };
    if (e instanceof TwentyThreeKeError && e.reason === Reason.ConfigMissing)
      return { facts: facts("missing", [e.message]), catalogKey: undefined };
    return { facts: facts("unreadable", [describeError(e)]), catalogKey: undefined };
  }
  let catalogKey: string | undefined;
  for (const l of layers) {
    const v = l.document.values.catalog;
    if (typeof v === "string") catalogKey = v;
  }
  const check = checkConfig(layers);
  if (!check.valid || check.parsed === undefined)
    return {
      facts: facts("invalid", check.problems.map(formatProblem), check.problems.length),
      catalogKey,
    };
  const resolved = deriveConfig(check.parsed, check.merged, offlineGeneratedSecrets());
  return {
    facts: {
      ...facts("valid", []),
      vpaMode: resolved.baseCluster.vpa,
      issuerEnabled: resolved.issuer.enabled,
    },
    catalogKey,
  };
}

function ownerOf(o: KubeObject): Owner {
  const a = o.metadata.annotations ?? {};
  const l = o.metadata.labels ?? {};
  const rn = a["meta.helm.sh/release-name"];
  const rns = a["meta.helm.sh/release-namespace"];
  const fn = l["helm.toolkit.fluxcd.io/name"];
  const fns = l["helm.toolkit.fluxcd.io/namespace"];
  const by = l["app.kubernetes.io/managed-by"];
  return {
    ...(rn === undefined ? {} : { helmRelease: { name: rn, namespace: rns ?? o.metadata.namespace ?? "" } }),
    ...(fn === undefined ? {} : { flux: `${fns ?? ""}/${fn}` }),
    ...(by === undefined ? {} : { managedBy: by }),
  };
}

interface ServiceObject extends KubeObject {
  spec?: { type?: string };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

interface LeaseObject extends KubeObject {
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string };
}

/** A kind that is not served reads as undefined (its CRD is not installed yet). */
async function listServed(
  client: KubeClient,
  apiVersion: string,
  kind: string,
): Promise<StatefulObject[] | undefined> {
  try {
    return (await client.list<KubeObject & { status?: Record<string, unknown> }>(apiVersion, kind)).map(
      (o) => ({
        apiVersion,
        kind,
        metadata: {
          name: o.metadata.name,
          ...(o.metadata.namespace === undefined ? {} : { namespace: o.metadata.namespace }),
          ...(o.metadata.generation === undefined ? {} : { generation: o.metadata.generation }),
        },
        ...(o.status === undefined ? {} : { status: o.status }),
      }),
    );
  } catch (e) {
    if (e instanceof KubeNotFoundError) return undefined;
    throw e;
  }
}

async function readCluster(
  client: KubeClient,
  i: GatherInput,
  catalog: Catalog,
  status: Read<StatusFacts>,
  identity: ClusterFacts["identity"],
  version: string,
): Promise<ClusterFacts> {
  const ns = i.systemNamespace;
  const [access, storageClasses, loadBalancers, crds, ingressClasses, workloads, releases, applyLock] =
    await Promise.all([
      read(() => reviewAccess(client, accessQuestions(catalog, ns))),
      read(async () =>
        (await client.list("storage.k8s.io/v1", "StorageClass")).map((s) => {
          const a = s.metadata.annotations ?? {};
          return {
            name: s.metadata.name,
            provisioner: typeof s.provisioner === "string" ? s.provisioner : "",
            default:
              a["storageclass.kubernetes.io/is-default-class"] === "true" ||
              a["storageclass.beta.kubernetes.io/is-default-class"] === "true",
          };
        }),
      ),
      read(async () =>
        (await client.list<ServiceObject>("v1", "Service"))
          .filter((s) => s.spec?.type === "LoadBalancer")
          .map((s) => {
            const created = Date.parse(s.metadata.creationTimestamp ?? "");
            return {
              namespace: s.metadata.namespace ?? "",
              name: s.metadata.name,
              addresses: (s.status?.loadBalancer?.ingress ?? [])
                .map((x) => x.ip ?? x.hostname ?? "")
                .filter((x) => x !== ""),
              ...(Number.isNaN(created) ? {} : { createdAt: created }),
            };
          }),
      ),
      read(async () => {
        const found = await Promise.all(
          [VPA_CRD, CERT_MANAGER_CRD].map((n) =>
            client.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", n),
          ),
        );
        return found
          .filter((o) => o !== undefined)
          .map((o) => ({ kind: "CustomResourceDefinition", name: o.metadata.name, owner: ownerOf(o) }));
      }),
      read(async () =>
        (await client.list("networking.k8s.io/v1", "IngressClass")).map((o) => ({
          kind: "IngressClass",
          name: o.metadata.name,
          controller:
            typeof (o.spec as { controller?: unknown } | undefined)?.controller === "string"
              ? (o.spec as { controller: string }).controller
              : "",
          owner: ownerOf(o),
        })),
      ),
      read(async () =>
        (
          await client.list(
            "apps/v1",
            "Deployment",
            undefined,
            "app.kubernetes.io/name in (cert-manager,ingress-nginx)",
          )
        ).map((o) => ({
          kind: "Deployment",
          name: o.metadata.name,
          namespace: o.metadata.namespace ?? "",
          app: o.metadata.labels?.["app.kubernetes.io/name"] ?? "",
          owner: ownerOf(o),
        })),
      ),
      read(() => listStoredReleases(client)),
      read(async () => {
        const l = await client.get<LeaseObject>("coordination.k8s.io/v1", "Lease", LOCK_NAME, ns);
        if (l === undefined) return undefined;
        const renewed = Date.parse(l.spec?.renewTime ?? "");
        return {
          holder: l.spec?.holderIdentity ?? "",
          durationSeconds: l.spec?.leaseDurationSeconds ?? 60,
          ...(Number.isNaN(renewed) ? {} : { renewedAt: renewed }),
        };
      }),
    ]);
  const [dnsProviders, issuers, virtualGarden, deletedInUse] = await Promise.all([
    read(() => listServed(client, "dns.gardener.cloud/v1alpha1", "DNSProvider")),
    read(() => listServed(client, "cert.gardener.cloud/v1alpha1", "Issuer")),
    read(() => probeVirtualGarden(i.virtualGarden(catalog))),
    read(() => terminatingInUse(client, ns)),
  ]);
  return {
    server: client.server,
    version: { value: version },
    identity,
    access,
    storageClasses,
    loadBalancers,
    crds,
    ingressClasses,
    workloads,
    releases,
    applyLock,
    status,
    dnsProviders,
    issuers,
    virtualGarden,
    deletedInUse,
  };
}

async function probeVirtualGarden(v: VirtualGardenProbe): Promise<VirtualGardenFact> {
  try {
    const p = await v.probe();
    return {
      source: v.source,
      kubeconfig: p.kubeconfig,
      reachable: p.handle !== undefined,
      message: p.message,
    };
  } finally {
    v.close();
  }
}
