/**
 * `23ke template [COMPONENT...]`: the manifests of the landscape's components, rendered offline
 * with their merged values and post-renderers, as `helmfile template` does, to check a config or
 * a chart upgrade before anything reaches a cluster. What only the cluster knows (generated
 * secrets, the PKI, the virtual garden's kubeconfig, the Service range) is a marked placeholder.
 *
 * Secrets stay masked unless --show-secrets: the data of every Secret object, and every
 * credential of the 23ke-config wherever a chart put it (base64 or decoded).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { DEFAULT_SYSTEM_NAMESPACE, offlineClusterFacts, resolveConfig } from "../../config/index.js";
import { credentialStrings } from "../../config/config-credentials.js";
import { closest } from "../../config/suggest.js";
import { UsageError } from "../../errors/errors.js";
import { offlineUnits, placeholderGeneratedSecrets, renderOffline } from "../../reconcile/offline-render.js";
import { MASKED } from "../../values/values-mask.js";
import { print, printErr, type CliContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { openLandscape, type LandscapeOptions } from "../landscape.js";

export interface TemplateOptions extends Pick<
  LandscapeOptions,
  | "file"
  | "valuesDir"
  | "configRepo"
  | "configRef"
  | "configPath"
  | "catalog"
  | "helm"
  | "chartMirror"
  | "cacheDir"
> {
  systemNamespace: string;
  outputDir?: string;
  showSecrets?: boolean;
}

export async function templateCommand(
  ctx: CliContext,
  components: readonly string[],
  o: TemplateOptions,
): Promise<number> {
  if (o.file === undefined || o.file.length === 0)
    throw new UsageError("give the 23ke-config with -f FILE (repeat -f for layers)");
  const ns = o.systemNamespace || DEFAULT_SYSTEM_NAMESPACE;
  const landscape = openLandscape(
    ctx,
    { ...o, systemNamespace: ns, concurrency: 1, timeout: 60 },
    { offline: true },
  );
  const layers = landscape.configLayersOrUndefined() ?? [];
  const { config, warnings } = resolveConfig(layers, placeholderGeneratedSecrets());
  for (const w of warnings) printErr(ctx, `warning: ${w.path}: ${w.message}`);
  const catalog = landscape.catalog;
  const cluster = offlineClusterFacts(config);
  const repo = await landscape.repositoryContent(ctx.signal);
  const input = {
    catalog,
    config,
    cluster,
    ...(repo === undefined ? {} : { configRepoValues: repo.values }),
    systemNamespace: ns,
  };

  const known = offlineUnits(input).units.map((u) => u.name);
  for (const c of components) {
    if (!known.includes(c)) {
      const guess = closest(c, known);
      throw new UsageError(
        `no component "${c}" in this landscape${guess === undefined ? "" : ` (did you mean "${guess}"?)`}; its components: ${known.join(", ")}`,
      );
    }
  }
  const rendered = await renderOffline(
    {
      ...input,
      charts: landscape.charts,
      helm: landscape.helm(),
      signal: ctx.signal,
    },
    components.length === 0 ? undefined : new Set(components),
  );

  const sensitive = o.showSecrets === true ? [] : credentialStrings(config);
  for (const note of cluster.notes) printErr(ctx, `note: ${note}`);
  if (o.outputDir !== undefined) mkdirSync(o.outputDir, { recursive: true });
  for (const r of rendered) {
    const u = r.unit;
    const header = [
      `# component ${u.name}: release ${u.namespace}/${u.release} in the ${u.target} cluster, chart ${u.chart.name}@${u.chart.version} (${u.chart.repositoryUrl})`,
      ...r.postRender.map(
        (p) =>
          `# post-renderer on ${p.target.kind}${p.target.name === undefined ? "" : `/${p.target.name}`}: ${p.patch.map((x) => `${x.op} ${x.path}`).join(", ")}`,
      ),
      ...r.placeholders.map((p) => `# placeholder: ${p}`),
    ].join("\n");
    const body = o.showSecrets === true ? r.manifest : maskManifest(r.manifest, sensitive);
    if (o.outputDir === undefined) print(ctx, `---\n${header}\n${body.trimEnd()}`);
    else writeFileSync(path.join(o.outputDir, `${u.name}.yaml`), `${header}\n${body}`, { mode: 0o600 });
  }
  if (o.outputDir !== undefined)
    printErr(ctx, `${rendered.length} component(s) rendered into ${o.outputDir}`);
  if (o.showSecrets !== true) printErr(ctx, "secret values are masked; --show-secrets shows them");
  return ExitCode.ok;
}

/** Masks the data of Secret objects and every sensitive string anywhere else. */
export function maskManifest(manifest: string, sensitive: readonly string[]): string {
  let text = manifest;
  for (const s of sensitive) text = text.split(s).join(MASKED);
  const docs = parseAllDocuments(text);
  if (!docs.some((d) => d.get("kind") === "Secret")) return text;
  return docs
    .map((d) => {
      if (d.get("kind") === "Secret") {
        for (const field of ["data", "stringData"]) {
          const m = d.get(field) as { items?: { value: unknown }[] } | undefined;
          for (const item of m?.items ?? []) {
            const key = (item as unknown as { key: { value?: unknown } }).key.value;
            d.setIn([field, key], MASKED);
          }
        }
      }
      return d.toString({ lineWidth: 0 });
    })
    .join("");
}
