/**
 * A Landscape's spec → the inputs of the release engine: the catalog, the config Secrets, the
 * configuration repository with the credentials of its Secret, the poll interval and the virtual
 * garden's access; and the digest of the config Secrets that the status records. Credentials are
 * read from their Secret into the git source's auth and go nowhere else; a Secret that is missing
 * or lacks the keys is a TerminalError naming Secret and keys, never their values.
 */
import { createHash } from "node:crypto";
import { durationMs, type Landscape as LandscapeObject } from "../api/landscape.js";
import { CONFIG_LAYER_NAMES } from "../config/index.js";
import { TerminalError } from "../errors/errors.js";
import type { KubeClient, KubeObject } from "../kube/client.js";
import type { GitAuth } from "../sources/git/git-auth.js";
import { Reason } from "../status/reasons.js";

/** Poll interval of the configuration repository when spec.repository.interval is absent. */
export const DEFAULT_REPOSITORY_INTERVAL_MS = 60_000;

type SecretObject = KubeObject & { data?: Record<string, string> };

export interface LandscapeInputs {
  catalog?: string;
  /** The config Secrets, in order; undefined: the default layers (23ke-config-0..2, 23ke-config). */
  configSecrets?: string[];
  repository?: { url: string; ref?: string; path?: string; auth?: GitAuth };
  /** Poll interval of the repository (ms). */
  pollMs: number;
  virtualGardenSecret?: { name: string; key: string };
}

function decoded(s: SecretObject, key: string): string | undefined {
  const v = s.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, "base64").toString("utf8");
}

/** The git credentials of Secret `name`: identity (+ known_hosts), username + password, or token. */
export async function repositoryAuth(client: KubeClient, namespace: string, name: string): Promise<GitAuth> {
  const what = `Secret ${namespace}/${name}`;
  const s = await client.get<SecretObject>("v1", "Secret", name, namespace);
  if (s === undefined)
    throw new TerminalError(`${what} (spec.repository.secretRef) not found`, {
      reason: Reason.NotFound,
      object: what,
    });
  const identity = decoded(s, "identity");
  if (identity !== undefined) {
    const knownHosts = decoded(s, "known_hosts");
    return { type: "ssh", privateKey: identity, ...(knownHosts === undefined ? {} : { knownHosts }) };
  }
  const username = decoded(s, "username");
  const password = decoded(s, "password");
  if (username !== undefined && password !== undefined) return { type: "basic", username, password };
  const token = decoded(s, "token");
  if (token !== undefined) return { type: "token", token, ...(username === undefined ? {} : { username }) };
  throw new TerminalError(
    `${what} (spec.repository.secretRef) has none of the keys identity, username and password, token`,
    { reason: Reason.ValidationFailed, object: what },
  );
}

/** The engine's inputs from the Landscape's spec; reads the repository's Secret. */
export async function landscapeInputs(client: KubeClient, l: LandscapeObject): Promise<LandscapeInputs> {
  const spec = l.spec;
  const repo = spec.repository;
  const auth =
    repo?.secretRef === undefined
      ? undefined
      : await repositoryAuth(client, l.metadata.namespace, repo.secretRef.name);
  return {
    ...(spec.catalog === undefined ? {} : { catalog: spec.catalog }),
    ...(spec.config?.secretRefs === undefined
      ? {}
      : { configSecrets: spec.config.secretRefs.map((r) => r.name) }),
    ...(repo === undefined
      ? {}
      : {
          repository: {
            url: repo.url,
            ...(repo.ref === undefined ? {} : { ref: repo.ref }),
            ...(repo.path === undefined ? {} : { path: repo.path }),
            ...(auth === undefined ? {} : { auth }),
          },
        }),
    pollMs: repo?.interval === undefined ? DEFAULT_REPOSITORY_INTERVAL_MS : durationMs(repo.interval),
    ...(spec.virtualGarden === undefined
      ? {}
      : {
          virtualGardenSecret: {
            name: spec.virtualGarden.kubeconfigSecretRef.name,
            key: spec.virtualGarden.kubeconfigSecretRef.key ?? "kubeconfig",
          },
        }),
  };
}

/** The config Secrets of a Landscape: spec.config.secretRefs, else the default layers. */
export function configSecretNames(l: LandscapeObject): string[] {
  return l.spec.config?.secretRefs?.map((r) => r.name) ?? [...CONFIG_LAYER_NAMES];
}

/** The Secrets whose change is a trigger: the config layers and the repository's credentials. */
export function watchedSecrets(l: LandscapeObject): string[] {
  const repo = l.spec.repository?.secretRef?.name;
  return [...new Set([...configSecretNames(l), ...(repo === undefined ? [] : [repo])])];
}

/**
 * `sha256:<hex>` of the config Secrets' data (name, keys and bytes, in layer order); a missing
 * optional layer counts as absent. Only the digest leaves this function.
 */
export async function configDigest(
  client: KubeClient,
  namespace: string,
  names: readonly string[],
): Promise<string> {
  const h = createHash("sha256");
  for (const name of names) {
    const s = await client.get<SecretObject>("v1", "Secret", name, namespace);
    h.update(`secret ${name}\n`);
    for (const [k, v] of Object.entries(s?.data ?? {}).sort(([a], [b]) => a.localeCompare(b)))
      h.update(`${k}=${v}\n`);
  }
  return `sha256:${h.digest("hex")}`;
}
