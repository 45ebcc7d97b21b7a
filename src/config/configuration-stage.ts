/**
 * The configuration stage (DESIGN.md §1, §4): reads the operator's `23ke-config*` Secrets,
 * validates them (nothing is applied when they are bad), keeps the generated secrets, fans out
 * and writes one `<component>-base-values` Secret per component into the system namespace,
 * and removes base-values Secrets of components that no longer apply.
 *
 * Everything is written by server-side apply under one field manager. A Secret whose content is
 * unchanged is not applied at all, so its resourceVersion stays and nothing downstream wakes up.
 * The client is passed in; this module never builds one (only src/kube talks to an apiserver).
 */
import { Reason } from "../status/reasons.js";
import { stringify } from "yaml";
import { TerminalError, ValidationError, type Problem } from "../errors/errors.js";
import type { KubeClient, KubeObject } from "../kube/client.js";
import { MaxYamlBytes, parseYaml } from "../util/yaml-limits.js";
import { parseValuesDocument } from "../values/values-document.js";
import { discoverClusterFacts, type ClusterFacts } from "./cluster-facts.js";
import { BASE_VALUES_COMPONENTS, fanOut, renderBaseValues, type BaseValuesDocument } from "./base-values.js";
import {
  CONFIG_LAYER_NAMES,
  CONFIG_SECRET_NAME,
  checkConfig,
  resolveConfig,
  type ConfigLayer,
  type ResolvedConfig,
} from "./config-resolve.js";
import {
  GENERATED_SECRETS_NAME,
  GENERATED_SECRET_PATHS,
  completeGeneratedSecrets,
  malformedGeneratedSecrets,
  cryptoRandomChars,
  generatedSecretsLayer,
  readGeneratedSecrets,
  type GeneratedSecrets,
  type RandomChars,
} from "./generated-secrets.js";
import { dropFinalizer } from "./in-use-protection.js";

export const FIELD_MANAGER = "23ke";
export const DEFAULT_SYSTEM_NAMESPACE = "23ke-system";
export const VALUES_KEY = "values.yaml";

export const LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
export const LABEL_ROLE = "23ke.cloud/role";
export const LABEL_COMPONENT = "23ke.cloud/component";
const BASE_VALUES_SELECTOR = `${LABEL_MANAGED_BY}=23ke,${LABEL_ROLE}=base-values`;

/** What the stage needs of a cluster client (a KubeClient in practice). */
export type SecretClient = Pick<KubeClient, "get" | "list" | "apply" | "delete" | "replace">;

interface SecretObject extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}

export interface ConfigurationStageOptions {
  /** The system namespace. @default "23ke-system" */
  namespace?: string;
  /** Config layers to use instead of the `23ke-config*` Secrets (e.g. from files). */
  configLayers?: readonly ConfigLayer[];
  /** @default crypto-random */
  random?: RandomChars;
  /** The catalog's Gardener release (FanOutOptions.gardener). @default none */
  gardener?: string;
}

export interface ConfigurationStageResult {
  config: ResolvedConfig;
  warnings: Problem[];
  /** What was found in the base cluster (VPA CRDs, the virtual garden's ClusterIP). */
  cluster: ClusterFacts;
  /** Base-values Secrets created or changed. */
  written: string[];
  unchanged: string[];
  removed: string[];
  /** What happened to Secret 23ke-generated-secrets. */
  generatedSecrets: "created" | "completed" | "kept";
}

export async function runConfigurationStage(
  client: SecretClient,
  opts: ConfigurationStageOptions = {},
): Promise<ConfigurationStageResult> {
  const namespace = opts.namespace ?? DEFAULT_SYSTEM_NAMESPACE;
  const layers = opts.configLayers ?? (await readConfigLayers(client, namespace));
  // Reject a bad config before anything is written, not even the namespace.
  const check = checkConfig(layers);
  if (!check.valid)
    throw new ValidationError(CONFIG_SECRET_NAME, check.problems, `${namespace}/${CONFIG_SECRET_NAME}`);

  await ensureNamespace(client, namespace);
  const gen = await ensureGeneratedSecrets(client, namespace, opts.random ?? cryptoRandomChars);
  const { config, warnings } = resolveConfig(layers, gen.secrets);
  const cluster = await discoverClusterFacts(client, config, namespace);
  const docs = fanOut(config, {
    systemNamespace: namespace,
    cluster,
    ...(opts.gardener === undefined ? {} : { gardener: opts.gardener }),
  });
  const w = await writeBaseValues(client, namespace, docs);
  return { config, warnings, cluster, ...w, generatedSecrets: gen.state };
}

/**
 * Reads `23ke-config-0`, `-1`, `-2` (optional) and `23ke-config` (required) as layers; with
 * `names` (a Landscape's spec.config.secretRefs), these Secrets in order, every one required.
 */
export async function readConfigLayers(
  client: SecretClient,
  namespace: string,
  names?: readonly string[],
): Promise<ConfigLayer[]> {
  const layers: ConfigLayer[] = [];
  const problems: Problem[] = [];
  for (const name of names ?? CONFIG_LAYER_NAMES) {
    const s = await client.get<SecretObject>("v1", "Secret", name, namespace);
    if (s === undefined) {
      if (name === CONFIG_SECRET_NAME || names !== undefined) {
        throw new TerminalError(
          `Secret ${namespace}/${name} not found: create it with the landscape's config under key ${VALUES_KEY} (see examples/23ke-config.yaml)`,
          { reason: Reason.ConfigMissing, object: `Secret ${namespace}/${name}` },
        );
      }
      continue;
    }
    const source = `Secret ${namespace}/${name}`;
    const text = secretText(s, source);
    const r = parseValuesDocument(text, { source, allowSecretManifest: false });
    if (r.ok) layers.push({ name, document: r.document });
    else problems.push(...r.problems);
  }
  if (problems.length > 0)
    throw new ValidationError(CONFIG_SECRET_NAME, problems, `${namespace}/${CONFIG_SECRET_NAME}`);
  return layers;
}

function secretText(s: SecretObject, source: string): string {
  const raw = s.data?.[VALUES_KEY];
  if (raw === undefined) {
    throw new ValidationError(CONFIG_SECRET_NAME, [
      { path: "", file: source, message: `has no key ${VALUES_KEY}` },
    ]);
  }
  return Buffer.from(raw, "base64").toString("utf8");
}

export async function ensureNamespace(client: SecretClient, namespace: string): Promise<void> {
  if ((await client.get("v1", "Namespace", namespace)) !== undefined) return;
  await client.apply(
    {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: namespace, labels: { [LABEL_MANAGED_BY]: "23ke" } },
    },
    FIELD_MANAGER,
  );
}

/**
 * Reads Secret 23ke-generated-secrets; generates only what is missing (all of it the first
 * time) and writes it back. Secrets present are never regenerated.
 */
export async function ensureGeneratedSecrets(
  client: SecretClient,
  namespace: string,
  random: RandomChars = cryptoRandomChars,
): Promise<{ secrets: GeneratedSecrets; state: "created" | "completed" | "kept" }> {
  const existing = await client.get<SecretObject>("v1", "Secret", GENERATED_SECRETS_NAME, namespace);
  let current: Partial<GeneratedSecrets> = {};
  if (existing !== undefined) {
    const raw = existing.data?.[VALUES_KEY];
    if (raw !== undefined) {
      let parsed: unknown;
      try {
        parsed = parseYaml(Buffer.from(raw, "base64").toString("utf8"), MaxYamlBytes.config);
      } catch {
        // Never replace secrets that may be in use: an operator must look at this.
        throw new TerminalError(
          `Secret ${namespace}/${GENERATED_SECRETS_NAME} does not hold valid YAML under ${VALUES_KEY}; fix or delete it (deleting rotates the landscape's generated secrets)`,
          { reason: Reason.GeneratedSecretsInvalid, object: `Secret ${namespace}/${GENERATED_SECRETS_NAME}` },
        );
      }
      current = readGeneratedSecrets(parsed);
      const bad = malformedGeneratedSecrets(current);
      if (bad.length > 0) {
        throw new TerminalError(
          `Secret ${namespace}/${GENERATED_SECRETS_NAME} holds malformed values at ${bad.map((k) => GENERATED_SECRET_PATHS[k].join(".")).join(", ")}; fix them or remove those keys (they are then generated anew)`,
          { reason: Reason.GeneratedSecretsInvalid, object: `Secret ${namespace}/${GENERATED_SECRETS_NAME}` },
        );
      }
    }
  }
  const { secrets, added } = completeGeneratedSecrets(current, random);
  if (added.length > 0) {
    await client.apply(
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: {
          name: GENERATED_SECRETS_NAME,
          namespace,
          labels: { [LABEL_MANAGED_BY]: "23ke", [LABEL_ROLE]: "generated-secrets" },
        },
        type: "Opaque",
        data: {
          [VALUES_KEY]: Buffer.from(stringify(generatedSecretsLayer(secrets)), "utf8").toString("base64"),
        },
      },
      FIELD_MANAGER,
    );
  }
  return { secrets, state: existing === undefined ? "created" : added.length > 0 ? "completed" : "kept" };
}

/** The Secret object for one base-values document. */
export function baseValuesSecret(doc: BaseValuesDocument, namespace: string): SecretObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: doc.secretName,
      namespace,
      labels: { [LABEL_MANAGED_BY]: "23ke", [LABEL_ROLE]: "base-values", [LABEL_COMPONENT]: doc.component },
    },
    type: "Opaque",
    data: { [VALUES_KEY]: Buffer.from(renderBaseValues(doc), "utf8").toString("base64") },
  };
}

/** Applies changed documents, leaves unchanged ones alone, deletes those that no longer apply. */
export async function writeBaseValues(
  client: SecretClient,
  namespace: string,
  docs: readonly BaseValuesDocument[],
): Promise<Pick<ConfigurationStageResult, "written" | "unchanged" | "removed">> {
  const existing = new Map<string, SecretObject>();
  for (const s of await client.list<SecretObject>("v1", "Secret", namespace, BASE_VALUES_SELECTOR))
    existing.set(s.metadata.name, s);
  const written: string[] = [];
  const unchanged: string[] = [];
  await Promise.all(
    docs.map(async (doc) => {
      const desired = baseValuesSecret(doc, namespace);
      // Unlabelled Secrets of the same name (a landscape taken over) are not in the list.
      const current =
        existing.get(doc.secretName) ??
        (await client.get<SecretObject>("v1", "Secret", doc.secretName, namespace));
      if (current !== undefined && sameSecret(current, desired)) {
        unchanged.push(doc.secretName);
        return;
      }
      await client.apply(desired, FIELD_MANAGER);
      written.push(doc.secretName);
    }),
  );
  const wanted = new Set(docs.map((d) => d.secretName));
  const removed: string[] = [];
  for (const [name, s] of existing) {
    const component = s.metadata.labels?.[LABEL_COMPONENT];
    if (
      wanted.has(name) ||
      component === undefined ||
      !(BASE_VALUES_COMPONENTS as readonly string[]).includes(component)
    )
      continue;
    // Protected while in use (./in-use-protection.ts): no longer in use, the finalizer goes first.
    if (!(await dropFinalizer(client, s))) continue; // changed meanwhile: the next pass retries
    if (await client.delete("v1", "Secret", name, namespace)) removed.push(name);
  }
  return { written: written.sort(), unchanged: unchanged.sort(), removed: removed.sort() };
}

function sameSecret(current: SecretObject, desired: SecretObject): boolean {
  if ((current.type ?? "Opaque") !== desired.type) return false;
  const cd = current.data ?? {};
  const dd = desired.data ?? {};
  if (Object.keys(cd).length !== Object.keys(dd).length) return false;
  for (const [k, v] of Object.entries(dd)) if (cd[k] !== v) return false;
  const labels = current.metadata.labels ?? {};
  return Object.entries(desired.metadata.labels ?? {}).every(([k, v]) => labels[k] === v);
}
