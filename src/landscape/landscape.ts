/**
 * The landscape: the one place where the release engine is put together. Built once from
 * settings (base-cluster access, the virtual garden's access, chart sources with credentials, OCI
 * and mirrors, helm, the catalog, where the config and the configuration repository come from);
 * the CLI commands and the operator loop are thin callers of it.
 *
 * What is made once lives as long as the landscape (the base client, the chart source with its
 * caches, the git source, the helm driver); what can change between passes is read per pass (the
 * config files or Secrets, the configuration repository's revision, the virtual garden's
 * kubeconfig Secret). Nothing here prints: progress goes to the caller's callback.
 */
import { terminatingInUse } from "../config/in-use-protection.js";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Catalog } from "../catalog/catalog-schema.js";
import { loadCatalog } from "../catalog/load-catalog.js";
import {
  CONFIG_LAYER_NAMES,
  checkConfig,
  readConfigLayers,
  runConfigurationStage,
  type ConfigLayer,
} from "../config/index.js";
import {
  describeError,
  formatProblem,
  TerminalError,
  UsageError,
  ValidationError,
} from "../errors/errors.js";
import { findHelm } from "../helm/helm-binary.js";
import { HelmDriver } from "../helm/helm-driver.js";
import { KubeNotFoundError, type KubeClient, type KubeObject } from "../kube/client.js";
import type { ChartSource } from "../reconcile/chart-source.js";
import {
  reconcilePass,
  type ConfigurationStage,
  type PassResult,
  type ProgressEvent,
} from "../reconcile/reconcile-pass.js";
import { StatusStore, type InvalidStatusKey } from "../reconcile/status-store.js";
import { isPartial, type SelectionRequest } from "../reconcile/component-selection.js";
import { VirtualGarden } from "../reconcile/virtual-garden.js";
import type { ComponentRecord, RejectedRevision } from "../status/component-state.js";
import { repositoryUnavailableEventObject, revisionRejectedEventObject } from "../status/events.js";
import { Reason } from "../status/reasons.js";
import type { StatusSummary } from "../status/conditions.js";
import { checkVersionSkew, chooseCatalog, type CatalogChoice } from "./catalog-choice.js";
import { readConfigFiles } from "./config-files.js";
import { landscapeCharts, type ChartSourceSettings } from "./chart-sources.js";
import { resolveBaseAccess, type BaseClusterAccess, type ResolvedClusterAccess } from "./cluster-access.js";
import {
  ConfigRepository,
  RevisionRejectedError,
  type ConfigRepositoryContent,
  type ConfigRepositorySettings,
} from "./config-repository.js";
import { doctorLandscape, type DoctorReport, type DoctorRequest } from "./doctor.js";
import { loadMigrations } from "../catalog/load-migrations.js";
import type { Migration } from "../catalog/migrations-schema.js";
import { planInDetail, planLandscape, type LandscapePlan } from "./plan.js";
import { diffLandscape, sensitiveStrings } from "./diff.js";
import type { LandscapeDiff } from "../diff/diff-report.js";
import { selectPlan } from "./plan-selection.js";
import { componentTree, type ComponentTree } from "./component-tree.js";
import { landscapeGraph, type LandscapeGraph } from "../graph/landscape-graph.js";
import { removalOrder, uninstallLandscape, type UninstallResult } from "./uninstall.js";

/** Where the 23ke-config comes from. */
export type ConfigInput =
  /** The 23ke-config Secrets of the system namespace (the default). */
  | { secrets: true }
  /** These Secrets of the system namespace, in order, every one required (a Landscape's spec). */
  | { secretNames: readonly string[] }
  /** Files, read and checked again on every pass (layers, later wins). */
  | { files: readonly string[] }
  /** Layers given directly (already read). */
  | { layers: ConfigLayer[] };

export interface LandscapeSettings {
  /** The base cluster; undefined: offline (plan shows the order only; nothing else works). */
  base?: BaseClusterAccess;
  /** A kubeconfig file of the virtual garden instead of Secret gardener-internal-kubeconfig. */
  virtualKubeconfig?: string;
  /** A Secret of the system namespace with the virtual garden's kubeconfig, instead of the catalog's. */
  virtualGardenSecret?: { name: string; key: string };
  systemNamespace: string;
  /** A catalog, or which one to choose (src/landscape/catalog-choice.ts). */
  catalog: Catalog | CatalogRequest;
  config: ConfigInput;
  repository?: ConfigRepositorySettings;
  charts: ChartSourceSettings;
  helm: {
    /** The helm binary (default: $HELM_BINARY, else helm on PATH). */
    binary?: string;
    /** The environment helm runs with. */
    env: NodeJS.ProcessEnv;
    /** Called with every helm invocation's arguments (tests count them). */
    onInvoke?: (args: readonly string[]) => void;
  };
  /** Helm processes at once in a pass (ADR 0019). @default one per CPU, 2 to 8 */
  concurrency?: number;
  /** @default 300000 */
  helmTimeoutMs?: number;
  /** @default 300000 */
  healthTimeoutMs?: number;
}

/** Choose the catalog: --catalog, the config's `catalog` key, the installed one, the newest. */
export interface CatalogRequest {
  /** --catalog: a built-in catalog name or a catalog file. */
  name?: string;
  /** Apply even across a downgrade or a skipped minor version. @default false */
  forceVersionSkew?: boolean;
}

export interface ApplyRequest {
  signal: AbortSignal;
  onProgress?: (e: ProgressEvent) => void;
  /** Told which revision of the configuration repository this pass applies. */
  /** The revision applied; `rejected`: a newer one that did not load (the applied one is the last good). */
  onRevision?: (r: { revision: string; values: number; manifests: number; rejected?: string }) => void;
  /** `apply --only`/`--skip` (src/reconcile/component-selection.ts). @default every component */
  selection?: SelectionRequest;
}

export interface LandscapeStatus {
  records: ComponentRecord[];
  summary: StatusSummary | undefined;
  /** Keys of the status ConfigMap that could not be read (read as absent). */
  invalid: InvalidStatusKey[];
  /** The newest revision of the configuration repository that was not applied, and why. */
  rejectedRevision: RejectedRevision | undefined;
  /** Secrets the landscape depends on that were deleted: kept by the in-use finalizer (ADR 0018). */
  terminatingInUse: string[];
}

export class Landscape {
  private readonly access: ResolvedClusterAccess | undefined;
  private readonly repository: ConfigRepository | undefined;
  /** The chart source of every command: built-in charts, repositories (HTTP, OCI), mirrors, credentials. */
  readonly charts: ChartSource;
  private helmDriver: HelmDriver | undefined;

  private readonly chosen: Catalog;
  /** How the catalog was chosen, and what was installed before. */
  choice: CatalogChoice | undefined;
  /** The request the catalog was chosen by (undefined: the catalog was given as data). */
  private catalogRequest: CatalogRequest | undefined;

  private constructor(
    private readonly settings: LandscapeSettings,
    env: NodeJS.ProcessEnv,
  ) {
    if ("files" in settings.config) checkedLayers(settings.config.files);
    // A request is resolved by connect(); until then the newest non-preview catalog stands in.
    this.chosen = isCatalog(settings.catalog)
      ? settings.catalog
      : chooseCatalog({
          flag: settings.catalog.name,
          configKey: configCatalogKey(this.configLayersOrUndefined()),
          recorded: undefined,
          hasRecords: false,
        }).catalog;
    this.catalogRequest = isCatalog(settings.catalog) ? undefined : settings.catalog;
    this.repository =
      settings.repository === undefined ? undefined : new ConfigRepository(settings.repository);
    this.charts = landscapeCharts(settings.charts, this.chosen.repositories, {
      binary: () => this.helm().binary,
      env: settings.helm.env,
    });
    this.access = settings.base === undefined ? undefined : resolveBaseAccess(settings.base, env);
  }

  /**
   * Checks what can be checked without a cluster (config files, the repository checkout) before
   * anything is contacted, then makes the clients. A catalog request is resolved without the
   * cluster (flag, config file key, newest): for offline use; `connect` asks the cluster too.
   */
  static open(settings: LandscapeSettings, env: NodeJS.ProcessEnv): Landscape {
    return new Landscape(settings, env);
  }

  /**
   * As `open`, and a catalog request is resolved with what the cluster says: the 23ke-config
   * Secrets' `catalog` key, the catalog the landscape was applied with. Refuses a downgrade or a
   * skipped minor version of Gardener unless forced.
   */
  static async connect(settings: LandscapeSettings, env: NodeJS.ProcessEnv): Promise<Landscape> {
    if (isCatalog(settings.catalog) || settings.base === undefined) return Landscape.open(settings, env);
    const request = settings.catalog;
    const probe = new Landscape(settings, env);
    try {
      const store = new StatusStore(probe.base, settings.systemNamespace);
      const layers =
        (await probe.namedSecretLayers()) ??
        probe.configLayersOrUndefined() ??
        // No 23ke-config Secret: no catalog key. A command that needs the config (apply) says so
        // when it reads it; one that only reads the landscape (status, graph, tree) goes on.
        (await readConfigLayers(probe.base, settings.systemNamespace).catch((e: unknown) => {
          if (e instanceof TerminalError && e.reason === Reason.ConfigMissing) return undefined;
          throw e;
        }));
      const choice = chooseCatalog({
        flag: request.name,
        configKey: configCatalogKey(layers),
        recorded: await store.readCatalog(),
        hasRecords: (await store.readAll()).size > 0,
      });
      const running = await runningGardenerVersion(probe.base);
      checkVersionSkew(
        running ?? (choice.installed === undefined ? undefined : loadCatalog(choice.installed).gardener),
        choice.catalog,
        request.forceVersionSkew === true,
      );
      const l = new Landscape({ ...settings, catalog: choice.catalog }, env);
      l.choice = choice;
      l.catalogRequest = request;
      return l;
    } finally {
      probe.close();
    }
  }

  get catalog(): Catalog {
    return this.chosen;
  }

  /**
   * The catalog a pass would choose now, when it is not this landscape's: the 23ke-config's
   * `catalog` key changed since `connect` (a long-running `run` re-connects then, with the
   * version-skew guard). Undefined when the choice stands, or when the catalog was given as data
   * or by flag (the flag always wins).
   */
  async catalogChangedTo(): Promise<string | undefined> {
    const request = this.catalogRequest;
    if (request === undefined || request.name !== undefined) return undefined;
    const layers =
      (await this.namedSecretLayers()) ??
      this.configLayersOrUndefined() ??
      (await readConfigLayers(this.base, this.settings.systemNamespace).catch((e: unknown) => {
        if (e instanceof TerminalError && e.reason === Reason.ConfigMissing) return undefined;
        throw e;
      }));
    const store = new StatusStore(this.base, this.settings.systemNamespace);
    const choice = chooseCatalog({
      flag: undefined,
      configKey: configCatalogKey(layers),
      recorded: await store.readCatalog(),
      hasRecords: (await store.readAll()).size > 0,
    });
    return choice.catalog.version === this.chosen.version ? undefined : choice.catalog.version;
  }

  get systemNamespace(): string {
    return this.settings.systemNamespace;
  }

  /** The base cluster's client; a usage error when none was named. */
  get base(): KubeClient {
    return this.cluster().client;
  }

  /** The kubeconfig file helm is given for the base cluster. */
  get baseKubeconfig(): string {
    return this.cluster().kubeconfig;
  }

  /** One pass over the landscape: configuration, pre-gardener, gardener; holds the apply lock. */
  async apply(req: ApplyRequest): Promise<PassResult> {
    const access = this.cluster();
    const store = new StatusStore(access.client, this.settings.systemNamespace);
    const recordRejected = async (e: RevisionRejectedError): Promise<void> => {
      const problems = e.problems.map(formatProblem);
      await store.writeRejectedRevision({ revision: e.revision, problems }).catch(() => undefined);
      const event = revisionRejectedEventObject(
        e.revision,
        problems,
        this.settings.systemNamespace,
        new Date(),
      );
      await store.event(event).catch(() => undefined);
    };
    // Nothing of a broken revision is applied; say so in the status and where `kubectl get events`
    // looks. Without a good revision to keep in force, the error itself is what the caller must
    // see, so these writes may fail.
    const inForce = await this.repository?.readInForce(req.signal).catch(async (e: unknown) => {
      if (e instanceof RevisionRejectedError) await recordRejected(e);
      else if (!req.signal.aborted) {
        const event = repositoryUnavailableEventObject(
          describeError(e),
          this.settings.systemNamespace,
          new Date(),
        );
        await store.event(event).catch(() => undefined);
      }
      throw e;
    });
    const repo = inForce?.content;
    if (inForce?.rejected !== undefined) await recordRejected(inForce.rejected);
    else if (repo !== undefined) await store.writeRejectedRevision(undefined);
    if (repo !== undefined)
      req.onRevision?.({
        revision: repo.revision,
        values: repo.values.size,
        manifests: repo.manifests?.length ?? 0,
        ...(inForce?.rejected === undefined ? {} : { rejected: inForce.rejected.revision }),
      });
    const virtual = this.virtualGarden(access.client);
    try {
      return await reconcilePass({
        base: access.client,
        baseKubeconfig: access.kubeconfig,
        virtual,
        helm: this.helm(),
        catalog: this.chosen,
        migrations: this.migrations(),
        charts: this.charts,
        configuration: this.configurationStage(access.client),
        ...(repo === undefined ? {} : { configRepoValues: repo.values }),
        ...(repo?.manifests === undefined ? {} : { virtualManifests: repo.manifests }),
        systemNamespace: this.settings.systemNamespace,
        ...(this.settings.concurrency === undefined ? {} : { concurrency: this.settings.concurrency }),
        helmTimeoutMs: this.settings.helmTimeoutMs ?? 300_000,
        healthTimeoutMs: this.settings.healthTimeoutMs ?? 300_000,
        signal: req.signal,
        ...(req.onProgress === undefined ? {} : { onProgress: req.onProgress }),
        ...(isPartial(req.selection) ? { selection: req.selection } : {}),
      });
    } finally {
      virtual.close();
    }
  }

  /**
   * What an apply would do; offline (order only) when no base cluster was named. `orderOnly`
   * asks the cluster only for its facts (Secrets), not what would change (no chart, no helm).
   */
  async plan(
    signal: AbortSignal,
    opts: { orderOnly?: boolean; selection?: SelectionRequest } = {},
  ): Promise<LandscapePlan> {
    if (isPartial(opts.selection)) {
      const { selection, ...rest } = opts;
      const full = await this.plan(signal, rest);
      const records =
        this.access === undefined || !full.withCluster
          ? undefined
          : new Map((await this.status()).records.map((r) => [r.component, r]));
      return selectPlan(full, this.chosen, selection, records);
    }
    const repo = await this.repository?.read(signal);
    const layers = this.configLayersOrUndefined();
    if (this.access === undefined) {
      return await planLandscape({
        catalog: this.chosen,
        systemNamespace: this.settings.systemNamespace,
        configLayers: layers,
        repositoryValues: repo?.values,
        signal,
      });
    }
    // A short wait: plan asks whether the virtual garden answers, it does not wait for it.
    const virtual = this.virtualGarden(this.access.client, 5_000);
    try {
      return await planLandscape({
        catalog: this.chosen,
        systemNamespace: this.settings.systemNamespace,
        configLayers: layers,
        repositoryValues: repo?.values,
        migrations: this.migrations(),
        cluster: {
          client: this.access.client,
          kubeconfig: this.access.kubeconfig,
          helm: () => this.helm(),
          charts: this.charts,
          virtual,
        },
        ...(opts.orderOnly === true ? { orderOnly: true } : {}),
        signal,
      });
    } finally {
      virtual.close();
    }
  }

  /**
   * What an apply would change, object by object (src/landscape/diff.ts): the plan, then each
   * component to install or upgrade rendered by helm and applied in dry-run, compared with the
   * live objects. Nothing is written. `components`: only these.
   */
  async diff(
    signal: AbortSignal,
    opts: { components?: readonly string[] } = {},
  ): Promise<{ plan: LandscapePlan; diff: LandscapeDiff }> {
    const access = this.cluster();
    const repo = await this.repository?.read(signal);
    const layers = this.configLayersOrUndefined();
    // A short wait: diff asks whether the virtual garden answers, it does not wait for it.
    const virtual = this.virtualGarden(access.client, 5_000);
    try {
      const detailed = await planInDetail({
        catalog: this.chosen,
        systemNamespace: this.settings.systemNamespace,
        configLayers: layers,
        repositoryValues: repo?.values,
        migrations: this.migrations(),
        cluster: {
          client: access.client,
          kubeconfig: access.kubeconfig,
          helm: () => this.helm(),
          charts: this.charts,
          virtual,
        },
        signal,
      });
      const diff = await diffLandscape({
        detailed,
        helm: this.helm(),
        base: access.client,
        virtual,
        ...(opts.components === undefined ? {} : { only: opts.components }),
        sensitive: await sensitiveStrings(access.client, this.settings.systemNamespace, layers),
        helmTimeoutMs: this.settings.helmTimeoutMs ?? 300_000,
        signal,
      });
      return { plan: detailed.plan, diff };
    } finally {
      virtual.close();
    }
  }

  /**
   * The dependency graph of the components the config enables (and the catalog's disabled ones);
   * with a base cluster, each component's recorded state.
   */
  async graph(signal: AbortSignal): Promise<LandscapeGraph> {
    const plan = await this.plan(signal, { orderOnly: true });
    if (this.access === undefined) return landscapeGraph(this.chosen, plan.components);
    const { records, summary } = await this.status();
    return landscapeGraph(this.chosen, plan.components, {
      records: new Map(records.map((r) => [r.component, r])),
      summary,
    });
  }

  /** The objects a component owns, each with whether it exists and is ready. */
  async tree(component: string, signal: AbortSignal): Promise<ComponentTree> {
    const access = this.cluster();
    // A short wait: tree asks whether the virtual garden answers, it does not wait for it.
    const virtual = this.virtualGarden(access.client, 5_000);
    try {
      const { records } = await this.status();
      return await componentTree({
        component,
        catalog: this.chosen,
        systemNamespace: this.settings.systemNamespace,
        records: new Map(records.map((r) => [r.component, r])),
        base: access.client,
        virtual,
        signal,
      });
    } finally {
      virtual.close();
    }
  }

  /**
   * What `23ke doctor` finds: the tools, the base cluster before an install and what an install
   * left (src/landscape/doctor.ts). Reads only.
   */
  async doctor(req: DoctorRequest = {}): Promise<DoctorReport> {
    return await doctorLandscape(this.cluster(), this.settings, req);
  }

  /** Removes every component of the landscape, dependents first; keeps the config and generated secrets. */
  async uninstall(req: ApplyRequest): Promise<UninstallResult> {
    const access = this.cluster();
    const virtual = this.virtualGarden(access.client);
    try {
      return await uninstallLandscape({
        base: access.client,
        baseKubeconfig: access.kubeconfig,
        virtual,
        helm: this.helm(),
        catalog: this.chosen,
        systemNamespace: this.settings.systemNamespace,
        helmTimeoutMs: this.settings.helmTimeoutMs ?? 300_000,
        signal: req.signal,
        ...(req.onProgress === undefined ? {} : { onProgress: req.onProgress }),
      });
    } finally {
      virtual.close();
    }
  }

  /** The recorded components, in the order `uninstall` would remove them. */
  async removalOrder(): Promise<string[]> {
    return (await removalOrder(this.base, this.chosen, this.settings.systemNamespace)).order;
  }

  /** The records and conditions the last pass left. */
  async status(): Promise<LandscapeStatus> {
    const invalid: InvalidStatusKey[] = [];
    const store = new StatusStore(this.base, this.settings.systemNamespace, {
      onInvalid: (i) => invalid.push(i),
    });
    return {
      records: [...(await store.readAll()).values()],
      summary: await store.readSummary(),
      invalid,
      rejectedRevision: await store.readRejectedRevision(),
      terminatingInUse: await terminatingInUse(this.base, this.settings.systemNamespace),
    };
  }

  /**
   * A digest of the pass's inputs that is cheap to compute every poll: the configuration
   * repository's head, the config files' content or the resourceVersions of the 23ke-config
   * Secrets, the catalog. Undefined when something could not be read (a blip is no trigger).
   */
  async inputsDigest(signal: AbortSignal): Promise<string | undefined> {
    try {
      const h = createHash("sha256");
      if (this.repository !== undefined) h.update(`repo ${await this.repository.head(signal)}\n`);
      const config = this.settings.config;
      if ("files" in config) {
        for (const f of config.files) h.update(`file ${f} `).update(readFileSync(f)).update("\n");
      } else if ("layers" in config) {
        h.update(`layers ${JSON.stringify(config.layers)}\n`);
      } else {
        for (const name of "secretNames" in config ? config.secretNames : CONFIG_LAYER_NAMES) {
          const s = await this.base.get("v1", "Secret", name, this.settings.systemNamespace);
          h.update(`secret ${name} ${s?.metadata.resourceVersion ?? "-"}\n`);
        }
      }
      h.update(`catalog ${JSON.stringify(this.chosen)}\n`);
      return h.digest("hex");
    } catch {
      return undefined;
    }
  }

  /** Removes the private kubeconfig copies. */
  close(): void {
    this.access?.close();
  }

  /**
   * The upgrade migrations of the chosen catalog (ADR 0016): a built-in catalog's
   * `<version>/migrations.yaml`; none for a catalog given as data.
   */
  private migrations(): Migration[] {
    return this.catalogRequest === undefined ? [] : loadMigrations(this.chosen);
  }

  /** The helm driver, made on first use: plan offline and HTTP-only chart pulls need no helm. */
  helm(): HelmDriver {
    this.helmDriver ??= new HelmDriver({
      helm: findHelm(this.settings.helm.binary, this.settings.helm.env),
      env: this.settings.helm.env,
      ...(this.settings.helm.onInvoke === undefined ? {} : { onInvoke: this.settings.helm.onInvoke }),
    });
    return this.helmDriver;
  }

  private cluster(): ResolvedClusterAccess {
    if (this.access === undefined)
      throw new UsageError("no base cluster: pass --kubeconfig (or set $KUBECONFIG), or --in-cluster");
    return this.access;
  }

  private virtualGarden(base: KubeClient, waitTimeoutMs?: number): VirtualGarden {
    return new VirtualGarden({
      base,
      systemNamespace: this.settings.systemNamespace,
      ...(this.settings.virtualKubeconfig === undefined
        ? {}
        : { kubeconfigFile: this.settings.virtualKubeconfig }),
      ...(this.settings.virtualGardenSecret === undefined
        ? {
            secretNamespace:
              this.chosen.virtualGardenAccess.namespace === "{{systemNamespace}}"
                ? this.settings.systemNamespace
                : this.chosen.virtualGardenAccess.namespace,
            secretName: this.chosen.virtualGardenAccess.secret,
            secretKey: this.chosen.virtualGardenAccess.key,
          }
        : {
            secretNamespace: this.settings.systemNamespace,
            secretName: this.settings.virtualGardenSecret.name,
            secretKey: this.settings.virtualGardenSecret.key,
          }),
      waitTimeoutMs: waitTimeoutMs ?? this.settings.healthTimeoutMs ?? 300_000,
    });
  }

  /** The configuration repository's revision in force, read now (undefined: none named). */
  async repositoryContent(signal: AbortSignal): Promise<ConfigRepositoryContent | undefined> {
    return await this.repository?.read(signal);
  }

  /** The layers of the Secrets a Landscape names, read now; undefined for any other input. */
  async namedSecretLayers(): Promise<ConfigLayer[] | undefined> {
    const config = this.settings.config;
    if (!("secretNames" in config)) return undefined;
    return await readConfigLayers(this.base, this.settings.systemNamespace, config.secretNames);
  }

  /** The config layers read now (files again every pass), or undefined for the cluster's Secrets. */
  configLayersOrUndefined(): ConfigLayer[] | undefined {
    const config = this.settings.config;
    if ("files" in config) return checkedLayers(config.files);
    if ("layers" in config) return config.layers;
    return undefined;
  }

  private configurationStage(base: KubeClient): ConfigurationStage {
    return {
      run: async () => {
        // Inside the apply lock, before anything else changes: this landscape now uses this catalog.
        await new StatusStore(base, this.settings.systemNamespace).writeCatalog(this.chosen.version);
        const layers = (await this.namedSecretLayers()) ?? this.configLayersOrUndefined();
        const r = await runConfigurationStage(base, {
          namespace: this.settings.systemNamespace,
          ...(layers === undefined ? {} : { configLayers: layers }),
          gardener: this.chosen.gardener,
        });
        const warn = r.warnings.length > 0 ? `; ${r.warnings.length} warning(s)` : "";
        return {
          backupsEnabled: r.config.backups.enabled,
          installVpaCrds: r.cluster.installVpaCrds,
          drift: r.config.drift,
          message: `${r.written.length} base-values Secret(s) written, ${r.unchanged.length} unchanged, ${r.removed.length} removed; generated secrets ${r.generatedSecrets}${warn}`,
        };
      },
    };
  }
}

function isCatalog(c: Catalog | CatalogRequest): c is Catalog {
  return "components" in c;
}

/** The 23ke-config's `catalog` key: the last layer that sets it. */
function configCatalogKey(layers: readonly ConfigLayer[] | undefined): string | undefined {
  let key: string | undefined;
  for (const l of layers ?? []) {
    const v = l.document.values.catalog;
    if (typeof v === "string") key = v;
  }
  return key;
}

/** The Gardener version gardener-operator runs, from the Garden's status (operator flavour). */
async function runningGardenerVersion(base: KubeClient): Promise<string | undefined> {
  const gardens = await base
    .list<KubeObject & { status?: { gardener?: { version?: string } } }>(
      "operator.gardener.cloud/v1alpha1",
      "Garden",
    )
    .catch((e: unknown) => {
      // Not served: no gardener-operator in this cluster.
      if (e instanceof KubeNotFoundError) return [];
      throw e;
    });
  return gardens.map((g) => g.status?.gardener?.version).find((v) => v !== undefined);
}

/** Config files read and checked: every problem of every file at once. */
function checkedLayers(files: readonly string[]): ConfigLayer[] {
  const layers = readConfigFiles(files);
  const check = checkConfig(layers);
  if (!check.valid) throw new ValidationError("23ke-config", check.problems);
  return layers;
}
