/**
 * `23ke diff`: for every component an apply would change, the objects it would create, change or
 * delete. Built on the plan (the same units, merged values, injections, post-renderers and
 * digests as the pass): each component to install or upgrade is rendered by helm as the upgrade
 * would render it (`--dry-run=server`), each object is then applied in dry-run (server-side
 * apply, `dryRun=All`, under helm's field manager) so that defaulting and field ownership are the
 * apiserver's, and compared with the live object. Objects of the deployed release (Helm's
 * storage) that the new manifest lacks would be deleted; so would every object of a component the
 * prune step would uninstall. Nothing is written.
 *
 * Secret data and the 23ke-config's credentials never leave masked (src/diff/secret-mask.ts).
 */
import { credentialStrings } from "../config/config-credentials.js";
import {
  GENERATED_SECRETS_NAME,
  offlineGeneratedSecrets,
  readConfigLayers,
  readGeneratedSecrets,
  resolveConfig,
  type ConfigLayer,
} from "../config/index.js";
import { closest } from "../config/suggest.js";
import { UsageError } from "../errors/errors.js";
import type { HelmDriver } from "../helm/helm-driver.js";
import { storedReleaseObjects } from "../helm/release-storage.js";
import { KubeApiError, KubeNotFoundError, type KubeClient, type KubeObject } from "../kube/client.js";
import { valuesOfSecret } from "../reconcile/component-values.js";
import { FIELD_MANAGER_HELM } from "../reconcile/field-managers.js";
import type { VirtualGarden } from "../reconcile/virtual-garden.js";
import type { ComponentRecord } from "../status/component-state.js";
import { compareObject, type ObjectDiff } from "../diff/object-diff.js";
import type { ObjectIdentity } from "../diff/object-normalise.js";
import {
  HELM_RESOURCE_POLICY,
  identityOf,
  manifestDocuments,
  removedObjects,
  withHelmOwnership,
} from "../diff/release-objects.js";
import type { ComponentDiff, LandscapeDiff } from "../diff/diff-report.js";
import type { DetailedPlan, PlannedRelease } from "./plan.js";

export interface DiffInputs {
  detailed: DetailedPlan;
  helm: HelmDriver;
  base: KubeClient;
  virtual: VirtualGarden;
  /** Only these components (undefined: every one); an unknown name is a usage error. */
  only?: readonly string[];
  /** Masked wherever they appear (the 23ke-config's credentials, generated secrets). */
  sensitive: readonly string[];
  helmTimeoutMs: number;
  signal: AbortSignal;
}

export async function diffLandscape(i: DiffInputs): Promise<LandscapeDiff> {
  const { plan, releases, removed } = i.detailed;
  const only = i.only === undefined || i.only.length === 0 ? undefined : new Set(i.only);
  if (only !== undefined) {
    const known = plan.components.map((c) => c.name);
    for (const n of only) {
      if (known.includes(n)) continue;
      const guess = closest(n, known);
      throw new UsageError(
        `no component "${n}" in this landscape${guess === undefined ? "" : ` (did you mean "${guess}"?)`}; its components: ${known.join(", ")}`,
      );
    }
  }
  const components: ComponentDiff[] = [];
  const unchanged: string[] = [];
  for (const c of plan.components) {
    if (only !== undefined && !only.has(c.name)) continue;
    const action = c.action;
    if (action !== "install" && action !== "upgrade" && action !== "uninstall") {
      unchanged.push(c.name);
      continue;
    }
    const release = releases.find((r) => r.unit.name === c.name);
    const record = removed.find((r) => r.component === c.name);
    if (action === "uninstall" && record !== undefined) {
      components.push(await uninstallDiff(i, record));
    } else if (release !== undefined) {
      components.push({
        ...where(release),
        action: action === "install" ? "install" : "upgrade",
        objects: await releaseDiff(i, release),
      });
    } else {
      // The plan could not compute what helm would be given (values complete only after the
      // dependencies are applied, the virtual garden not answering): say why.
      const unit = i.detailed.units.find((u) => u.name === c.name);
      components.push({
        name: c.name,
        target: c.target,
        release: unit?.release ?? "",
        namespace: unit?.namespace ?? "",
        action,
        reason: c.reason ?? "what the apply would render cannot be known before it runs",
        objects: [],
      });
    }
  }
  return { catalog: plan.catalog, components, unchanged };
}

function where(r: PlannedRelease): Pick<ComponentDiff, "name" | "target" | "release" | "namespace"> {
  return { name: r.unit.name, target: r.unit.target, release: r.unit.release, namespace: r.unit.namespace };
}

/** The object as the cluster names it: namespaced kinds in the release namespace by default. */
async function located(
  client: KubeClient,
  o: ObjectIdentity,
  releaseNamespace: string,
): Promise<ObjectIdentity | undefined> {
  try {
    const info = await client.resource(o.apiVersion, o.kind);
    const { namespace: _ignored, ...rest } = o;
    return info.namespaced ? { ...rest, namespace: o.namespace ?? releaseNamespace } : rest;
  } catch (e) {
    // A kind the cluster does not serve (yet: its CRD comes with this very release).
    if (e instanceof KubeNotFoundError) return undefined;
    throw e;
  }
}

async function releaseDiff(i: DiffInputs, r: PlannedRelease): Promise<ObjectDiff[]> {
  const { unit, client } = r;
  i.signal.throwIfAborted();
  const manifest = await i.helm.dryRunUpgrade({
    release: unit.release,
    namespace: unit.namespace,
    kubeconfig: r.kubeconfig,
    chart: r.chartPath,
    values: r.values,
    postRender: r.postRender,
    timeoutMs: i.helmTimeoutMs,
    signal: i.signal,
  });
  const rendered = manifestDocuments(manifest);
  const out: ObjectDiff[] = [];
  for (const doc of rendered) {
    i.signal.throwIfAborted();
    const id = await located(client, identityOf(doc), unit.namespace);
    if (id === undefined) {
      const d = compareObject({
        identity: identityOf(doc),
        live: undefined,
        desired: doc,
        sensitive: i.sensitive,
        note: "its kind is not served yet: as rendered, not as the apiserver would store it",
      });
      if (d !== undefined) out.push(d);
      continue;
    }
    const obj = withHelmOwnership(doc, unit.release, unit.namespace);
    if (id.namespace === undefined) delete obj.metadata.namespace;
    else obj.metadata.namespace = id.namespace;
    const live = await client.get(id.apiVersion, id.kind, id.name, id.namespace);
    let desired: KubeObject = obj;
    let note: string | undefined;
    try {
      desired = await client.apply(obj, FIELD_MANAGER_HELM, { dryRun: true });
    } catch (e) {
      // The namespace does not exist yet (helm creates it with the release).
      if (!(e instanceof KubeApiError && e.code === 404)) throw e;
      note = `namespace ${id.namespace ?? ""} does not exist yet: as rendered, not as the apiserver would store it`;
    }
    const d = compareObject({
      identity: id,
      live,
      desired,
      sensitive: i.sensitive,
      ...(note === undefined ? {} : { note }),
    });
    if (d !== undefined) out.push(d);
  }
  const previous = await storedReleaseObjects(client, unit.release, unit.namespace);
  if (previous !== undefined) {
    const gone = removedObjects(previous.objects, rendered.map(identityOf), unit.namespace);
    out.push(...(await deletions(client, gone, unit.namespace, i)));
  }
  return out;
}

/** The objects that exist and that helm would delete (not those it keeps by resource policy). */
async function deletions(
  client: KubeClient,
  objects: readonly ObjectIdentity[],
  releaseNamespace: string,
  i: DiffInputs,
): Promise<ObjectDiff[]> {
  const out: ObjectDiff[] = [];
  for (const o of objects) {
    i.signal.throwIfAborted();
    const id = await located(client, o, releaseNamespace);
    if (id === undefined) continue;
    const live = await client.get(id.apiVersion, id.kind, id.name, id.namespace);
    if (live === undefined || live.metadata.annotations?.[HELM_RESOURCE_POLICY] === "keep") continue;
    const d = compareObject({ identity: id, live, desired: undefined, sensitive: i.sensitive });
    if (d !== undefined) out.push(d);
  }
  return out;
}

async function uninstallDiff(i: DiffInputs, rec: ComponentRecord): Promise<ComponentDiff> {
  const base = {
    name: rec.component,
    target: rec.target,
    release: rec.release,
    namespace: rec.namespace,
    action: "uninstall" as const,
  };
  let client = i.base;
  if (rec.target === "virtual") {
    const v = await i.virtual.ready(i.signal, () => undefined).catch(() => undefined);
    if (v === undefined) return { ...base, reason: "the virtual garden does not answer", objects: [] };
    client = v.client;
  }
  const stored = await storedReleaseObjects(client, rec.release, rec.namespace);
  return {
    ...base,
    objects: await deletions(client, stored?.objects ?? [], rec.namespace, i),
  };
}

/**
 * What a diff masks besides Secret data: the credentials of the 23ke-config (the -f layers, else
 * its Secrets) and the generated secrets in the cluster. An unreadable config masks nothing more
 * (Secret data stays masked): the plan reports the config's problems itself.
 */
export async function sensitiveStrings(
  base: KubeClient,
  systemNamespace: string,
  layers: ConfigLayer[] | undefined,
): Promise<string[]> {
  const generated = await base
    .get<KubeObject & { data?: Record<string, string> }>(
      "v1",
      "Secret",
      GENERATED_SECRETS_NAME,
      systemNamespace,
    )
    .then((s) =>
      s?.data === undefined
        ? {}
        : readGeneratedSecrets(valuesOfSecret(GENERATED_SECRETS_NAME, systemNamespace, s.data)),
    )
    .catch(() => ({}));
  try {
    const read = layers ?? (await readConfigLayers(base, systemNamespace));
    const { config } = resolveConfig(read, { ...offlineGeneratedSecrets(), ...generated });
    return credentialStrings(config, generated);
  } catch {
    return credentialStrings(undefined, generated);
  }
}
