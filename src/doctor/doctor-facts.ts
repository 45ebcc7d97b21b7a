/**
 * What `23ke doctor` knows when it judges: plain data, gathered once (gather-facts.ts) and then
 * read by pure checks (checks/*.ts), so every decision can be tested as a table. A fact that could
 * not be read carries why (often that the identity may not read it), so that one forbidden list
 * becomes a finding instead of ending the doctor.
 *
 * Facts hold names, versions, states and the controllers' messages, never Secret data.
 */
import type { Catalog } from "../catalog/catalog-schema.js";
import type { VpaMode } from "../config/config-schema.js";
import type { StoredReleaseEntry } from "../helm/release-storage.js";
import type { AccessAnswer, Identity } from "../kube/access-review.js";
import type { ComponentRecord } from "../status/component-state.js";
import type { StatusSummary } from "../status/conditions.js";

/** A fact, or why it could not be read. */
export type Read<T> = { value: T } | { error: string };

/** Who installed an object, from its labels and annotations. */
export interface Owner {
  /** `meta.helm.sh/release-namespace` and `-name`. */
  helmRelease?: { namespace: string; name: string };
  /** A Flux HelmRelease (`helm.toolkit.fluxcd.io/namespace` and `/name` labels): `ns/name`. */
  flux?: string;
  /** `app.kubernetes.io/managed-by`. */
  managedBy?: string;
}

export interface StorageClassFact {
  name: string;
  provisioner: string;
  default: boolean;
}

export interface LoadBalancerFact {
  namespace: string;
  name: string;
  /** IPs and hostnames of `status.loadBalancer.ingress`. */
  addresses: string[];
  /** ms since the epoch. */
  createdAt?: number;
}

export interface OwnedObject {
  kind: string;
  name: string;
  namespace?: string;
  owner: Owner;
}

export interface IngressClassFact extends OwnedObject {
  controller: string;
}

/** A Deployment of a well-known controller (cert-manager, ingress-nginx), found by its labels. */
export interface WorkloadFact extends OwnedObject {
  /** `app.kubernetes.io/name` (or `app`). */
  app: string;
}

/** A DNSProvider or Issuer as its controller left it (readiness is judged by src/health). */
export interface StatefulObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; generation?: number };
  status?: Record<string, unknown>;
}

export interface ApplyLockFact {
  holder: string;
  /** ms since the epoch. */
  renewedAt?: number;
  durationSeconds: number;
}

export interface StatusFacts {
  records: ComponentRecord[];
  summary?: StatusSummary;
  /** Keys of the status ConfigMap that could not be read. */
  invalid: string[];
  /** The catalog recorded by the last apply. */
  catalog?: string;
}

export interface VirtualGardenFact {
  /** Where its kubeconfig comes from (a file, or a Secret). */
  source: string;
  kubeconfig: boolean;
  reachable: boolean;
  message: string;
}

export interface ClusterFacts {
  server: string;
  /** `gitVersion` of /version, e.g. v1.36.3. */
  version: Read<string>;
  identity: Read<Identity>;
  access: Read<AccessAnswer[]>;
  storageClasses: Read<StorageClassFact[]>;
  loadBalancers: Read<LoadBalancerFact[]>;
  /** The CRDs doctor asks about that exist (VPA, cert-manager), with their owners. */
  crds: Read<OwnedObject[]>;
  ingressClasses: Read<IngressClassFact[]>;
  workloads: Read<WorkloadFact[]>;
  releases: Read<StoredReleaseEntry[]>;
  applyLock: Read<ApplyLockFact | undefined>;
  status: Read<StatusFacts>;
  /** Undefined: the kind is not served (its CRD is not installed yet). */
  dnsProviders: Read<StatefulObject[] | undefined>;
  issuers: Read<StatefulObject[] | undefined>;
  virtualGarden: Read<VirtualGardenFact>;
  /** Secrets of the system namespace deleted while the landscape depends on them (ADR 0018). */
  deletedInUse?: Read<string[]>;
}

export interface ToolFact {
  path?: string;
  version?: string;
  problem?: string;
}

export interface ConfigFacts {
  /** Files, or `Secret <ns>/23ke-config`. */
  source: string;
  state: "valid" | "invalid" | "missing" | "unreadable";
  /** Problems (invalid) or why it could not be read, formatted, at most a few. */
  problems: string[];
  problemCount: number;
  vpaMode?: VpaMode;
  issuerEnabled?: boolean;
}

export interface CatalogFacts {
  catalog: Catalog;
  /** How it was chosen: --catalog, the config's key, the installed one, the newest. */
  origin: "flag" | "config" | "installed" | "newest";
  /** The catalog the landscape was applied with, if any. */
  installed?: string;
  /** Why applying this catalog would be refused (version skew), if it would. */
  skew?: string;
}

export interface DoctorFacts {
  /** ms since the epoch, when the facts were gathered. */
  now: number;
  systemNamespace: string;
  catalog: CatalogFacts;
  config: ConfigFacts;
  helm: ToolFact;
  git: ToolFact;
  /** The base cluster, or why it could not be reached at all. */
  cluster: ({ reachable: true } & ClusterFacts) | { reachable: false; error: string };
}
