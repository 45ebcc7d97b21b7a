/**
 * The local environment plays gardener-operator (and the TokenRequestor of the resource-manager it
 * deploys) for the operator flavour, the way fake-controllers.ts plays cert-manager: the stand-in
 * `operator` chart installs only the operator's Deployment and CRDs, so a bounded polling loop
 * writes the status the real controllers would (the operator contract of issue 9, §3–§6; reasons
 * and messages as gardener v1.149.3 writes them). It acts only while the Deployment
 * `garden/gardener-operator` exists in the base cluster, as nothing reconciles without it:
 *
 * - `operator.gardener.cloud/v1alpha1 Garden` (base, cluster-scoped; one per system, the oldest
 *   wins): observedGeneration, `gardener {id, name, version}` (version = the Deployment's image
 *   tag), lastOperation Reconcile/Succeeded/100 and the four care conditions True. Annotation
 *   `test.23ke.io/fail: "<message>"` makes VirtualComponentsHealthy False and the operation Error,
 *   `test.23ke.io/progressing: "<message>"` makes it Progressing and the operation Processing/50.
 * - Once a Garden has succeeded, as the operator that deployed gardener-apiserver: the virtual
 *   garden serves `seedmanagement.gardener.cloud/v1alpha1 Gardenlet` and `core.gardener.cloud/v1beta1
 *   Seed` (CRDs installed here only when the kind is not served yet; an existing CRD, e.g. the other
 *   flavour's stand-in, is never overwritten) and has the namespace `garden`.
 * - Secrets labelled `resources.gardener.cloud/purpose: token-requestor` in the base cluster's
 *   namespace `garden` (contract §6 option 1) get `data.kubeconfig` = the local virtual garden's
 *   kubeconfig, once the Garden has succeeded; other keys are left alone.
 * - `operator.gardener.cloud/v1alpha1 Extension` (base, cluster-scoped): Installed True only while
 *   the Garden is successfully reconciled (False "NoGardenFound" without a Garden),
 *   RequiredRuntime from the Garden's DNS provider types (DNSRecord), backup provider
 *   (BackupBucket) and extension types (Extension); annotation `test.23ke.io/fail` → Installed False.
 * - `seedmanagement.gardener.cloud/v1alpha1 Gardenlet` (virtual garden, namespace garden), once the
 *   Garden has succeeded: the Seed of the same name, spec from `spec.config.seedConfig`, with its
 *   readiness conditions True, then SeedRegistered True; annotation `test.23ke.io/fail` →
 *   SeedRegistered False.
 * - The VPA CRDs in the base cluster once a Garden with its VPA enabled has succeeded (annotated
 *   as gardener-operator annotates them), so that 23ke's VPA detection meets them as on a real
 *   runtime cluster.
 *
 * Kinds not served yet are skipped and looked up again on the next pass. Never logs or reports
 * object contents: the access Secrets and the virtual garden kubeconfig hold credentials.
 */
import { KubeApiError, KubeNotFoundError, type KubeClient, type KubeObject } from "#product/kube/client.js";
import { startPollingLoop } from "./polling-loop.js";

/** Annotation that makes the fake report a failure with the annotation's value as message. */
export const FAIL_ANNOTATION = "test.23ke.io/fail";
/** Annotation on a Garden that makes the fake report a reconciliation in progress. */
export const PROGRESSING_ANNOTATION = "test.23ke.io/progressing";
/** Annotation on Seeds written here: the Gardenlet uid/generation their spec was taken from. */
const SEED_CONFIG_OF_ANNOTATION = "test.23ke.io/seed-config-of";
const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
const FIELD_MANAGER = "23ke-fake-gardener-operator";

const OPERATOR_API = "operator.gardener.cloud/v1alpha1";
const GARDENLET_API = "seedmanagement.gardener.cloud/v1alpha1";
const SEED_API = "core.gardener.cloud/v1beta1";
const CRD_API = "apiextensions.k8s.io/v1";
const GARDEN_NAMESPACE = "garden";
const OPERATOR_DEPLOYMENT = "gardener-operator";
const TOKEN_REQUESTOR_SELECTOR = "resources.gardener.cloud/purpose=token-requestor";
const GARDENER_KEEP_OBJECT = "resources.gardener.cloud/keep-object";

/** Reasons and messages of gardener v1.149.3 (care, extension, required-runtime, gardenlet controllers). */
const Garden = {
  succeeded: "Garden cluster has been successfully reconciled.",
  retried: " Operation will be retried.",
  onlyOne:
    "there can be at most one operator.gardener.cloud/v1alpha1.Garden resource in the system at a time",
} as const;
const Ext = {
  noGarden: { reason: "NoGardenFound", message: "No garden found" },
  gardenNotReconciled: {
    reason: "ReconcileFailed",
    message:
      'Flow "Extension reconciliation" encountered task errors: [task "Checking if garden is reconciled" failed: garden is not yet successfully reconciled]',
  },
  failed: "ReconcileFailed",
  installed: { reason: "ReconcileSuccessful", message: "Extension has been reconciled successfully" },
  required: "ExtensionRequired",
  notRequired: { reason: "ExtensionNotRequired", message: "Extension not required for any kind" },
} as const;

export interface FakeGardenerOperatorOptions {
  /** The base (runtime) cluster: Gardens, Extensions, the operator Deployment, the access Secrets. */
  base: KubeClient;
  /** The virtual garden: Gardenlets and Seeds. */
  virtual: KubeClient;
  /** Kubeconfig of the virtual garden, written into the access Secrets. Never logged. */
  virtualKubeconfigText: string;
  /** Pause between passes. @default 300 */
  intervalMs?: number;
  /** Stops the loop when aborted (as does `stop()`). */
  signal?: AbortSignal;
  /** Told about a failed pass; the loop goes on. @default ignore */
  onError?: (error: unknown) => void;
}

export interface FakeGardenerOperator {
  /** Ends the loop after the pass in progress. */
  stop(): Promise<void>;
  /** Completed passes (for tests that want to wait for one more pass). */
  readonly passes: number;
}

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

interface Condition {
  type: string;
  status: "True" | "False" | "Progressing" | "Unknown";
  lastTransitionTime: string;
  lastUpdateTime: string;
  reason: string;
  message: string;
  codes?: string[];
}

type Wanted = Pick<Condition, "type" | "status" | "reason" | "message">;

interface Context {
  base: KubeClient;
  virtual: KubeClient;
  kubeconfigB64: string;
  now: () => Date;
  /** Set once a Garden was successfully reconciled: from then on the virtual garden exists. */
  gardenEverSucceeded: boolean;
  errors: unknown[];
}

export function startFakeGardenerOperator(opts: FakeGardenerOperatorOptions): FakeGardenerOperator {
  const ctx: Context = {
    base: opts.base,
    virtual: opts.virtual,
    kubeconfigB64: Buffer.from(opts.virtualKubeconfigText, "utf8").toString("base64"),
    now: () => new Date(),
    gardenEverSucceeded: false,
    errors: [],
  };
  return startPollingLoop(async () => await reconcileAll(ctx), {
    intervalMs: opts.intervalMs ?? 300,
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    ...(opts.onError === undefined ? {} : { onError: opts.onError }),
  });
}

/** One pass: Garden first (everything else depends on its state), then what hangs off it. */
async function reconcileAll(ctx: Context): Promise<void> {
  ctx.errors = [];
  const operator = await ctx.base.get<Obj>("apps/v1", "Deployment", OPERATOR_DEPLOYMENT, GARDEN_NAMESPACE);
  if (operator === undefined) return; // no operator, nothing reconciles
  const gardens = await listServed(ctx, ctx.base, OPERATOR_API, "Garden");
  let garden: Obj | undefined;
  if (gardens !== undefined) {
    const live = gardens
      .filter((g) => g.metadata.deletionTimestamp === undefined)
      .sort(
        (a, b) =>
          (a.metadata.creationTimestamp ?? "").localeCompare(b.metadata.creationTimestamp ?? "") ||
          a.metadata.name.localeCompare(b.metadata.name),
      );
    garden = live[0];
    for (const [i, g] of live.entries()) {
      const status = await guarded(ctx, () => reconcileGarden(ctx, operator, g, i === 0));
      if (i === 0 && status !== undefined) garden = { ...g, status };
    }
  }
  const succeeded = garden !== undefined && gardenSucceeded(garden);
  if (succeeded) ctx.gardenEverSucceeded = true;
  if (succeeded && garden !== undefined && vpaEnabled(garden)) await guarded(ctx, () => ensureVpaCrds(ctx));

  const extensions = await listServed(ctx, ctx.base, OPERATOR_API, "Extension");
  for (const e of extensions ?? []) {
    if (e.metadata.deletionTimestamp === undefined)
      await guarded(ctx, () => reconcileExtension(ctx, e, garden));
  }

  if (ctx.gardenEverSucceeded) {
    const secrets = await listServed(
      ctx,
      ctx.base,
      "v1",
      "Secret",
      GARDEN_NAMESPACE,
      TOKEN_REQUESTOR_SELECTOR,
    );
    for (const s of secrets ?? []) await guarded(ctx, () => writeAccessKubeconfig(ctx, s));
    if (await guarded(ctx, () => ensureVirtualGardenApis(ctx))) {
      const gardenlets = await listServed(ctx, ctx.virtual, GARDENLET_API, "Gardenlet", GARDEN_NAMESPACE);
      for (const g of gardenlets ?? []) {
        if (g.metadata.deletionTimestamp === undefined) await guarded(ctx, () => reconcileGardenlet(ctx, g));
      }
    }
  }
  if (ctx.errors.length > 0)
    throw new AggregateError(
      ctx.errors,
      `fake gardener-operator: ${ctx.errors.length} object(s) failed in this pass`,
    );
}

/** Lists a kind; undefined when the cluster does not serve it (yet). */
async function listServed(
  ctx: Context,
  client: KubeClient,
  apiVersion: string,
  kind: string,
  namespace?: string,
  labelSelector?: string,
): Promise<Obj[] | undefined> {
  try {
    return await client.list<Obj>(apiVersion, kind, namespace, labelSelector);
  } catch (e) {
    if (e instanceof KubeNotFoundError) return undefined; // CRD not installed (yet)
    // A CRD that was just created answers 429 "storage is (re)initializing" for a moment.
    if (e instanceof KubeApiError && e.code === 429) return undefined;
    if (e instanceof KubeApiError && e.code === 404) {
      client.forgetDiscovery(); // CRD removed since it was discovered
      return undefined;
    }
    ctx.errors.push(e);
    return undefined;
  }
}

/** Runs one object's step; objects deleted or changed meanwhile are retried next pass. */
async function guarded<T>(ctx: Context, step: () => Promise<T>): Promise<T | undefined> {
  try {
    return await step();
  } catch (e) {
    if (e instanceof KubeApiError && (e.code === 404 || e.code === 409 || e.code === 429)) return undefined;
    ctx.errors.push(e);
    return undefined;
  }
}

// --- Garden --------------------------------------------------------------------------------

/** The operator's own rule (IsGardenSuccessfullyReconciled). */
function gardenSucceeded(garden: Obj): boolean {
  const op = garden.status?.lastOperation as { type?: string; state?: string; progress?: number } | undefined;
  return op?.type === "Reconcile" && op.state === "Succeeded" && op.progress === 100;
}

/** Writes the Garden's status; returns the status as it now stands. */
async function reconcileGarden(
  ctx: Context,
  operator: Obj,
  garden: Obj,
  primary: boolean,
): Promise<Record<string, unknown>> {
  const annotations = garden.metadata.annotations ?? {};
  const fail = primary ? annotations[FAIL_ANNOTATION] : Garden.onlyOne;
  const progressing = annotations[PROGRESSING_ANNOTATION];
  const current = garden.status ?? {};
  const virtual: Wanted =
    fail !== undefined
      ? { type: "VirtualComponentsHealthy", status: "False", reason: "DeploymentUnhealthy", message: fail }
      : progressing !== undefined
        ? {
            type: "VirtualComponentsHealthy",
            status: "Progressing",
            reason: "DeploymentUnhealthy",
            message: progressing,
          }
        : {
            type: "VirtualComponentsHealthy",
            status: "True",
            reason: "VirtualComponentsRunning",
            message: "All virtual garden components are healthy.",
          };
  const conditions = mergeConditions(ctx, current.conditions, [
    {
      type: "RuntimeComponentsHealthy",
      status: "True",
      reason: "RuntimeComponentsRunning",
      message: "All runtime components are healthy.",
    },
    virtual,
    {
      type: "VirtualGardenAPIServerAvailable",
      status: "True",
      reason: "HealthzRequestSucceeded",
      message: "Virtual Garden API server /healthz endpoint responded with success status code.",
    },
    {
      type: "ObservabilityComponentsHealthy",
      status: "True",
      reason: "ObservabilityComponentsRunning",
      message: "All observability components are healthy.",
    },
  ]);
  const previous = current.lastOperation as Record<string, unknown> | undefined;
  const previousProgress = typeof previous?.progress === "number" ? previous.progress : 0;
  const operation =
    fail !== undefined
      ? { type: "Reconcile", state: "Error", progress: previousProgress, description: fail + Garden.retried }
      : progressing !== undefined
        ? { type: "Reconcile", state: "Processing", progress: 50, description: progressing }
        : { type: "Reconcile", state: "Succeeded", progress: 100, description: Garden.succeeded };
  const sameOperation =
    previous !== undefined && Object.entries(operation).every(([k, v]) => sameJson(previous[k], v));
  const desired: Record<string, unknown> = {
    observedGeneration: garden.metadata.generation,
    gardener: {
      id: operator.metadata.uid ?? OPERATOR_DEPLOYMENT,
      name: OPERATOR_DEPLOYMENT,
      version: imageTag(firstContainerImage(operator)) ?? "unknown",
    },
    lastOperation: {
      ...operation,
      lastUpdateTime: sameOperation ? previous.lastUpdateTime : iso(ctx.now()),
    },
    conditions,
  };
  await patchStatusIfChanged(ctx.base, garden, desired);
  return { ...current, ...desired };
}

function firstContainerImage(deployment: Obj): string {
  const spec = deployment.spec as { template?: { spec?: { containers?: { image?: string }[] } } } | undefined;
  return spec?.template?.spec?.containers?.[0]?.image ?? "";
}

/** "registry/path/operator:v1.149.3@sha256:…" → "v1.149.3"; undefined without a tag. */
export function imageTag(image: string): string | undefined {
  const ref = image.split("@")[0] ?? "";
  const colon = ref.lastIndexOf(":");
  return colon > ref.lastIndexOf("/") ? ref.slice(colon + 1) : undefined;
}

// --- Extension -----------------------------------------------------------------------------

async function reconcileExtension(ctx: Context, ext: Obj, garden: Obj | undefined): Promise<void> {
  const fail = ext.metadata.annotations?.[FAIL_ANNOTATION];
  const installed: Wanted =
    fail !== undefined
      ? { type: "Installed", status: "False", reason: Ext.failed, message: fail }
      : garden === undefined
        ? { type: "Installed", status: "False", ...Ext.noGarden }
        : gardenSucceeded(garden)
          ? { type: "Installed", status: "True", ...Ext.installed }
          : { type: "Installed", status: "False", ...Ext.gardenNotReconciled };
  const requiredKinds = requiredRuntimeKinds(ext, garden);
  const required: Wanted =
    requiredKinds.length > 0
      ? {
          type: "RequiredRuntime",
          status: "True",
          reason: Ext.required,
          message: `Extension required for kinds [${requiredKinds.join(" ")}]`,
        }
      : { type: "RequiredRuntime", status: "False", ...Ext.notRequired };
  await patchStatusIfChanged(ctx.base, ext, {
    observedGeneration: ext.metadata.generation,
    conditions: mergeConditions(ctx, ext.status?.conditions, [installed, required]),
  });
}

/** The kinds of `spec.resources` whose type the Garden needs in the runtime cluster, sorted. */
function requiredRuntimeKinds(ext: Obj, garden: Obj | undefined): string[] {
  if (garden === undefined) return [];
  const spec = (garden.spec ?? {}) as {
    dns?: { providers?: { type?: string }[] };
    virtualCluster?: { etcd?: { main?: { backup?: { provider?: string } } } };
    extensions?: { type?: string }[];
  };
  const needed: Record<string, Set<string>> = {
    DNSRecord: new Set((spec.dns?.providers ?? []).map((p) => p.type ?? "")),
    BackupBucket: new Set([spec.virtualCluster?.etcd?.main?.backup?.provider ?? ""]),
    Extension: new Set((spec.extensions ?? []).map((e) => e.type ?? "")),
  };
  const resources = (ext.spec?.resources as { kind?: string; type?: string }[] | undefined) ?? [];
  const kinds = new Set<string>();
  for (const r of resources) {
    if (r.kind !== undefined && r.type !== undefined && r.type !== "" && needed[r.kind]?.has(r.type) === true)
      kinds.add(r.kind);
  }
  return [...kinds].sort();
}

// --- virtual garden access (resource-manager's TokenRequestor) ------------------------------

/** Writes the virtual garden kubeconfig into the Secret's `data.kubeconfig`, keeping other keys. */
async function writeAccessKubeconfig(ctx: Context, secret: Obj): Promise<void> {
  const data = (secret.data as Record<string, string> | undefined) ?? {};
  if (data.kubeconfig === ctx.kubeconfigB64) return;
  // Compare-and-swap on the resourceVersion read: a concurrent change (409) is retried next pass.
  await ctx.base.replace({ ...secret, data: { ...data, kubeconfig: ctx.kubeconfigB64 } });
}

// --- virtual garden APIs (gardener-apiserver) ------------------------------------------------

// --- The runtime cluster's VPA ---------------------------------------------------------------

/** `spec.runtimeCluster.settings.verticalPodAutoscaler.enabled` (unset reads as false, as upstream). */
function vpaEnabled(garden: Obj): boolean {
  const runtime = garden.spec?.runtimeCluster as
    { settings?: { verticalPodAutoscaler?: { enabled?: boolean } } } | undefined;
  return runtime?.settings?.verticalPodAutoscaler?.enabled === true;
}

/**
 * The VPA CRDs the operator deploys into the runtime cluster when the Garden enables its VPA
 * (gardener v1.149.3: created with the annotation resources.gardener.cloud/keep-object, never
 * removed). Only the CRDs: the VPA's controllers have no stand-in. An existing CRD (the base
 * cluster's own VPA, or 23ke's vpa-crds) is left as it is.
 */
async function ensureVpaCrds(ctx: Context): Promise<void> {
  for (const [kind, plural] of [
    ["VerticalPodAutoscaler", "verticalpodautoscalers"],
    ["VerticalPodAutoscalerCheckpoint", "verticalpodautoscalercheckpoints"],
  ] as const) {
    const c = crd("autoscaling.k8s.io", "v1", kind, plural, true);
    if ((await ctx.base.get(CRD_API, "CustomResourceDefinition", c.metadata.name)) !== undefined) continue;
    await ctx.base.create({
      ...c,
      metadata: {
        ...c.metadata,
        annotations: {
          [GARDENER_KEEP_OBJECT]: "true",
          // k8s.io groups are protected: the apiserver wants the approval (the real CRD has it)
          "api-approved.kubernetes.io": "https://github.com/kubernetes/kubernetes/pull/63797",
        },
      },
    });
  }
}

interface VirtualApi {
  apiVersion: string;
  kind: string;
  crd: KubeObject;
}

function crd(group: string, version: string, kind: string, plural: string, namespaced: boolean): KubeObject {
  const open = { type: "object", "x-kubernetes-preserve-unknown-fields": true };
  return {
    apiVersion: CRD_API,
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.${group}`, labels: { [MANAGED_BY_LABEL]: FIELD_MANAGER } },
    spec: {
      group,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      scope: namespaced ? "Namespaced" : "Cluster",
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: { type: "object", properties: { spec: open, status: open } } },
        },
      ],
    },
  };
}

/**
 * In a real landscape gardener-apiserver serves these; here they are CRDs, reduced from the draft
 * Gardenlet CRD of issue 9: group, version, names and scope kept, spec and status open.
 */
const VIRTUAL_APIS: VirtualApi[] = [
  {
    apiVersion: GARDENLET_API,
    kind: "Gardenlet",
    crd: crd("seedmanagement.gardener.cloud", "v1alpha1", "Gardenlet", "gardenlets", true),
  },
  { apiVersion: SEED_API, kind: "Seed", crd: crd("core.gardener.cloud", "v1beta1", "Seed", "seeds", false) },
];

async function serves(client: KubeClient, apiVersion: string, kind: string): Promise<boolean> {
  try {
    await client.resource(apiVersion, kind); // misses are not cached: a new CRD is found next time
    return true;
  } catch (e) {
    if (e instanceof KubeNotFoundError) return false;
    throw e;
  }
}

/**
 * Makes the virtual garden serve the kinds gardener-apiserver would, and creates its namespace
 * garden. Returns true once everything is there; false while a CRD is not Established yet.
 */
async function ensureVirtualGardenApis(ctx: Context): Promise<boolean> {
  let ready = true;
  for (const api of VIRTUAL_APIS) {
    if (await serves(ctx.virtual, api.apiVersion, api.kind)) continue;
    ready = false;
    const existing = await ctx.virtual.get<Obj>(CRD_API, "CustomResourceDefinition", api.crd.metadata.name);
    if (existing === undefined) {
      await ctx.virtual.create(api.crd); // create, never apply: someone else's CRD is not overwritten
      continue;
    }
    const version = api.apiVersion.split("/")[1];
    const versions = ((existing.spec?.versions as { name?: string; served?: boolean }[] | undefined) ?? [])
      .filter((v) => v.served === true)
      .map((v) => v.name);
    if (established(existing) && !versions.includes(version))
      throw new Error(
        `virtual garden: CRD ${api.crd.metadata.name} exists but does not serve ${api.apiVersion}; not overwritten`,
      );
    // Established but not in discovery yet, or not Established yet: look again next pass.
  }
  if ((await ctx.virtual.get("v1", "Namespace", GARDEN_NAMESPACE)) === undefined) {
    await ctx.virtual.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: GARDEN_NAMESPACE } });
  }
  return ready;
}

function established(crdObj: Obj): boolean {
  const conditions = (crdObj.status?.conditions as { type?: string; status?: string }[] | undefined) ?? [];
  return conditions.some((c) => c.type === "Established" && c.status === "True");
}

// --- Gardenlet and its Seed ------------------------------------------------------------------

async function reconcileGardenlet(ctx: Context, gardenlet: Obj): Promise<void> {
  const name = gardenlet.metadata.name;
  const fail = gardenlet.metadata.annotations?.[FAIL_ANNOTATION];
  let registered: Wanted;
  if (fail !== undefined) {
    registered = { type: "SeedRegistered", status: "False", reason: "ReconcileError", message: fail };
  } else {
    await registerSeed(ctx, gardenlet);
    registered = {
      type: "SeedRegistered",
      status: "True",
      reason: "Reconciled",
      message: `Gardenlet deployed and Seed "${name}" registered`,
    };
  }
  await patchStatusIfChanged(ctx.virtual, gardenlet, {
    observedGeneration: gardenlet.metadata.generation,
    conditions: mergeConditions(ctx, gardenlet.status?.conditions, [registered]),
  });
}

/** What the deployed gardenlet does: registers its Seed and reports it ready. */
async function registerSeed(ctx: Context, gardenlet: Obj): Promise<void> {
  const name = gardenlet.metadata.name;
  const seedConfig = ((gardenlet.spec?.config as { seedConfig?: unknown } | undefined)?.seedConfig ?? {}) as {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    spec?: Record<string, unknown>;
  };
  const configOf = `${gardenlet.metadata.uid ?? ""}/${gardenlet.metadata.generation ?? 0}`;
  let seed = await ctx.virtual.get<Obj>(SEED_API, "Seed", name);
  const wanted = {
    apiVersion: SEED_API,
    kind: "Seed",
    metadata: {
      name,
      labels: { ...(seedConfig.metadata?.labels ?? {}) },
      annotations: { ...(seedConfig.metadata?.annotations ?? {}), [SEED_CONFIG_OF_ANNOTATION]: configOf },
    },
    spec: seedConfig.spec ?? {},
  };
  if (seed === undefined) {
    seed = await ctx.virtual.create<Obj>(wanted);
    if (seed === undefined) return; // created meanwhile; next pass
  } else if (seed.metadata.annotations?.[SEED_CONFIG_OF_ANNOTATION] !== configOf) {
    // The gardenlet keeps its Seed in step with seedConfig; written once per Gardenlet generation.
    seed = await ctx.virtual.replace<Obj>({
      ...seed,
      metadata: {
        ...seed.metadata,
        labels: { ...(seed.metadata.labels ?? {}), ...wanted.metadata.labels },
        annotations: { ...(seed.metadata.annotations ?? {}), ...wanted.metadata.annotations },
      },
      spec: wanted.spec,
    });
    if (seed === undefined) return; // changed meanwhile; next pass
  }
  const wantedConditions: Wanted[] = [
    {
      type: "GardenletReady",
      status: "True",
      reason: "GardenletReady",
      message: "Gardenlet is posting ready status.",
    },
    {
      type: "ExtensionsReady",
      status: "True",
      reason: "AllExtensionsReady",
      message: "All extensions installed into the seed cluster are ready and healthy.",
    },
    {
      type: "SeedSystemComponentsHealthy",
      status: "True",
      reason: "SystemComponentsRunning",
      message: "All system components are healthy.",
    },
  ];
  if (seed.spec?.backup !== undefined && seed.spec.backup !== null)
    wantedConditions.push({
      type: "BackupBucketsReady",
      status: "True",
      reason: "BackupBucketsAvailable",
      message: "Backup Buckets are available.",
    });
  await patchStatusIfChanged(ctx.virtual, seed, {
    observedGeneration: seed.metadata.generation,
    conditions: mergeConditions(ctx, seed.status?.conditions, wantedConditions),
  });
}

// --- conditions and status -------------------------------------------------------------------

/**
 * Gardener's UpdatedCondition + MergeConditions: lastTransitionTime moves when the status changes,
 * lastUpdateTime when status, reason or message change; conditions of other types are kept.
 */
function mergeConditions(ctx: Context, stored: unknown, wanted: Wanted[]): Condition[] {
  const current = Array.isArray(stored) ? (stored as Condition[]) : [];
  const now = iso(ctx.now());
  const updated = (w: Wanted): Condition => {
    const old = current.find((c) => c.type === w.type);
    const sameStatus = old?.status === w.status;
    const same = sameStatus && old.reason === w.reason && old.message === w.message;
    return {
      ...w,
      lastTransitionTime: sameStatus ? old.lastTransitionTime : now,
      lastUpdateTime: same ? old.lastUpdateTime : now,
    };
  };
  const byType = new Map(wanted.map((w) => [w.type, updated(w)]));
  const merged = current.map((c) => byType.get(c.type) ?? c);
  for (const [type, c] of byType) if (!current.some((o) => o.type === type)) merged.push(c);
  return merged;
}

/** Merge-patches status when any of `desired`'s fields differ from what is stored. */
async function patchStatusIfChanged(
  client: KubeClient,
  obj: Obj,
  desired: Record<string, unknown>,
): Promise<void> {
  const current = obj.status ?? {};
  if (Object.entries(desired).some(([k, v]) => !sameJson(current[k], v)))
    await client.patchStatus(obj, desired);
}

/** Deep equality of JSON values regardless of key order (the apiserver returns keys sorted). */
function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a ?? null) === canonical(b ?? null);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

function iso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}
