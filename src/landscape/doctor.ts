/**
 * `23ke doctor` on a landscape: the facts are gathered with the landscape's own access (the base
 * client, the virtual garden's kubeconfig as apply would find it, helm and git as apply would run
 * them) and judged by src/doctor's checks. The catalog is chosen as `connect` chooses it (flag,
 * config key, installed, newest), but a version skew is a finding here, not a refusal; and the
 * config files are read by the doctor itself, so that an invalid one is a finding too.
 *
 * Reads only; nothing is written to any cluster.
 */
import { loadCatalog } from "../catalog/load-catalog.js";
import { CONFIG_SECRET_NAME, readConfigLayers, type ConfigLayer } from "../config/index.js";
import { diagnose } from "../doctor/diagnose.js";
import type { CatalogFacts, ToolFact } from "../doctor/doctor-facts.js";
import { worstSeverity, type Finding, type Severity } from "../doctor/findings.js";
import { gatherDoctorFacts } from "../doctor/gather-facts.js";
import { describeError } from "../errors/errors.js";
import { findHelm, helmVersion } from "../helm/helm-binary.js";
import type { KubeClient, KubeObject } from "../kube/client.js";
import { VirtualGarden } from "../reconcile/virtual-garden.js";
import { findGit } from "../sources/git/git-version.js";
import { checkVersionSkew, chooseCatalog } from "./catalog-choice.js";
import type { ResolvedClusterAccess } from "./cluster-access.js";
import { readConfigFiles } from "./config-files.js";
import type { LandscapeSettings } from "./landscape.js";

export interface DoctorRequest {
  /** 23ke-config files to check instead of the cluster's Secrets. */
  configFiles?: readonly string[];
  /** @default Date.now */
  now?: () => number;
}

export interface DoctorReport {
  catalog: { version: string; flavour: string; gardener: string };
  systemNamespace: string;
  /** The worst severity found: what the exit code says. */
  worst: Severity;
  findings: Finding[];
}

export async function doctorLandscape(
  access: ResolvedClusterAccess,
  settings: LandscapeSettings,
  req: DoctorRequest,
): Promise<DoctorReport> {
  const ns = settings.systemNamespace;
  const client = access.client;
  const files = req.configFiles ?? [];
  const facts = await gatherDoctorFacts({
    base: client,
    systemNamespace: ns,
    config:
      files.length > 0
        ? { source: files.join(", "), read: () => Promise.resolve(readConfigFiles(files)) }
        : "layers" in settings.config
          ? { source: "the config layers given", read: () => Promise.resolve(layersOf(settings)) }
          : { source: `Secret ${ns}/${CONFIG_SECRET_NAME}`, read: () => readConfigLayers(client, ns) },
    chooseCatalog: (i) => chosenCatalog(settings, client, i),
    virtualGarden: (catalog) =>
      new VirtualGarden({
        base: client,
        systemNamespace: ns,
        ...(settings.virtualKubeconfig === undefined ? {} : { kubeconfigFile: settings.virtualKubeconfig }),
        secretNamespace:
          catalog.virtualGardenAccess.namespace === "{{systemNamespace}}"
            ? ns
            : catalog.virtualGardenAccess.namespace,
        secretName: catalog.virtualGardenAccess.secret,
        secretKey: catalog.virtualGardenAccess.key,
        waitTimeoutMs: 0,
      }),
    helm: () => helmFact(settings),
    git: async () => await findGit(settings.helm.env.PATH ?? ""),
    now: req.now ?? Date.now,
  });
  const findings = diagnose(facts);
  const c = facts.catalog.catalog;
  return {
    catalog: { version: c.version, flavour: c.flavour, gardener: c.gardener },
    systemNamespace: ns,
    worst: worstSeverity(findings),
    findings,
  };
}

function layersOf(settings: LandscapeSettings): ConfigLayer[] {
  return "layers" in settings.config ? settings.config.layers : [];
}

async function helmFact(settings: LandscapeSettings): Promise<ToolFact> {
  let path: string;
  try {
    path = findHelm(settings.helm.binary, settings.helm.env);
  } catch (e) {
    return { problem: describeError(e) };
  }
  try {
    return { path, version: await helmVersion(path) };
  } catch (e) {
    return { path, problem: describeError(e) };
  }
}

/** The catalog as `Landscape.connect` chooses it; a version skew is reported, not thrown. */
async function chosenCatalog(
  settings: LandscapeSettings,
  client: KubeClient,
  i: { configKey: string | undefined; recorded: string | undefined; hasRecords: boolean },
): Promise<CatalogFacts> {
  if ("components" in settings.catalog)
    return {
      catalog: settings.catalog,
      origin: "flag",
      ...(i.recorded === undefined ? {} : { installed: i.recorded }),
    };
  const request = settings.catalog;
  const choice = chooseCatalog({
    flag: request.name,
    configKey: i.configKey,
    recorded: i.recorded,
    hasRecords: i.hasRecords,
  });
  let skew: string | undefined;
  try {
    const running = await runningGardener(client);
    checkVersionSkew(
      running ?? (choice.installed === undefined ? undefined : installedGardener(choice.installed)),
      choice.catalog,
      request.forceVersionSkew === true,
    );
  } catch (e) {
    skew = describeError(e);
  }
  return {
    catalog: choice.catalog,
    origin: choice.origin,
    ...(choice.installed === undefined ? {} : { installed: choice.installed }),
    ...(skew === undefined ? {} : { skew }),
  };
}

function installedGardener(version: string): string | undefined {
  try {
    return loadCatalog(version).gardener;
  } catch {
    // A recorded catalog this 23ke does not know: nothing to compare with.
    return undefined;
  }
}

/** The Gardener version gardener-operator runs, from the Garden's status (operator flavour). */
async function runningGardener(client: KubeClient): Promise<string | undefined> {
  try {
    const gardens = await client.list<KubeObject & { status?: { gardener?: { version?: string } } }>(
      "operator.gardener.cloud/v1alpha1",
      "Garden",
    );
    return gardens.map((g) => g.status?.gardener?.version).find((v) => v !== undefined);
  } catch {
    // Not served (no gardener-operator in this cluster), or unreadable: the installed catalog's
    // version stands in, as when connecting.
    return undefined;
  }
}
