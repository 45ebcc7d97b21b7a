/**
 * The one wiring of chart sources, for every command that fetches charts (apply, plan, template,
 * charts pull): 23ke's own charts from the installation, every other chart from its Helm
 * repository over HTTP(S) or OCI, through mirrors, with repository credentials. OCI pulls go
 * through helm (src/helm), HTTP repositories through src/sources/helm.
 */
import path from "node:path";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { ValidationError } from "../errors/errors.js";
import { helmOciPuller } from "../helm/helm-pull.js";
import { BuiltinCharts, type ChartSource } from "../reconcile/chart-source.js";
import { ChartSource as RepositoryCharts, type RepositoryCredentials } from "../sources/helm/chart-source.js";
import { parseMirrorSpecs } from "../sources/helm/repository-mirrors.js";
import { MaxYamlBytes, parseYaml } from "../util/yaml-limits.js";

export interface ChartSourceSettings {
  /** Cache of charts and indexes. */
  cacheDir: string;
  /** `FROM=TO` mirror specs (`*=TO` mirrors every repository of the catalog). */
  mirrors?: readonly string[];
  /** The option the mirror specs came from, for messages. @default --chart-mirror */
  mirrorsOption?: string;
  /** Credentials by repository URL (as contacted, after mirroring). */
  credentials?: Readonly<Record<string, RepositoryCredentials>>;
  /** OCI registries (host[:port]) spoken to over plain HTTP. */
  plainHttpRegistries?: readonly string[];
  /** The directory of 23ke's own charts (`builtin` in the catalog). */
  builtinChartsDir: string;
}

const credentialsSchema = z.record(
  z.string(),
  z.object({
    username: z.string(),
    password: z.string(),
    passCredentialsToAllHosts: z.boolean().optional(),
  }),
);

/** Reads a credentials file: repository URL → {username, password}. Never echoes a value. */
export function readRepositoryCredentials(file: string): Record<string, RepositoryCredentials> {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, "utf8"), MaxYamlBytes.config);
  } catch (e) {
    throw new ValidationError("credentials file", [
      { path: "", message: `cannot read: ${(e as Error).message.split("\n")[0] ?? ""}`, file },
    ]);
  }
  const r = credentialsSchema.safeParse(raw);
  if (!r.success) {
    throw new ValidationError(
      "credentials file",
      r.error.issues.map((i) => ({
        path: i.path.join("."),
        message: `${i.message} (expected a map of repository URL to {username, password})`,
        file,
      })),
    );
  }
  const out: Record<string, RepositoryCredentials> = {};
  for (const [url, c] of Object.entries(r.data))
    out[url] = {
      username: c.username,
      password: c.password,
      ...(c.passCredentialsToAllHosts === undefined
        ? {}
        : { passCredentialsToAllHosts: c.passCredentialsToAllHosts }),
    };
  return out;
}

/** The repository side alone (charts pull uses it for charts outside any catalog). */
export function repositoryCharts(
  s: Omit<ChartSourceSettings, "builtinChartsDir">,
  repositories: Readonly<Record<string, string>>,
  helm: { binary: () => string; env: NodeJS.ProcessEnv },
): RepositoryCharts {
  return new RepositoryCharts({
    cacheDir: path.join(s.cacheDir, "charts"),
    mirrors: parseMirrorSpecs(s.mirrors ?? [], repositories, s.mirrorsOption ?? "--chart-mirror"),
    ...(s.credentials === undefined ? {} : { credentials: s.credentials }),
    ...(s.plainHttpRegistries === undefined ? {} : { plainHttpRegistries: s.plainHttpRegistries }),
    // helm is looked up only when an OCI chart is pulled: HTTP repositories need none.
    ociPuller: { pull: (req) => helmOciPuller({ helm: helm.binary(), env: helm.env }).pull(req) },
  });
}

/** Built-in charts from the installation, everything else from its repository. */
export function landscapeCharts(
  s: ChartSourceSettings,
  repositories: Readonly<Record<string, string>>,
  helm: { binary: () => string; env: NodeJS.ProcessEnv },
): ChartSource {
  const upstream = repositoryCharts(s, repositories, helm);
  return new BuiltinCharts(s.builtinChartsDir, {
    fetch: async (c, signal) => {
      const f = await upstream.fetch(
        { repository: c.repositoryUrl, name: c.name, version: c.version },
        signal,
      );
      return { path: f.path, digest: f.digest };
    },
  });
}
