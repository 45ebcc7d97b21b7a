/**
 * `23ke charts pull --dest DIR`: downloads every chart of a release catalog (verified against its
 * repository's digests) into DIR and writes an index.yaml, so that DIR can be carried into an
 * offline network and named as a mirror there.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { latestCatalogVersion, loadCatalog } from "../../catalog/load-catalog.js";
import { ValidationError } from "../../errors/errors.js";
import { findHelm } from "../../helm/helm-binary.js";
import { readRepositoryCredentials, repositoryCharts } from "../../landscape/chart-sources.js";
import type { ChartRef } from "../../sources/helm/chart-source.js";
import { pullCharts } from "../../sources/helm/charts-pull.js";
import { MaxYamlBytes, YamlInputError, parseYaml } from "../../util/yaml-limits.js";
import { print, printErr, type CliContext } from "../context.js";
import { cacheDirOf } from "../landscape.js";

export interface ChartsPullOptions {
  dest: string;
  /** A built-in catalog version or a catalog file. @default the newest built-in catalog */
  catalog?: string;
  /** `UPSTREAM=TARGET` pairs. */
  mirror?: string[];
  cacheDir?: string;
  /** YAML file: repository URL → {username, password}. */
  credentials?: string;
  helm?: string;
}

/** A plain list of charts, for catalogs that name repositories by URL. */
const simpleCatalogSchema = z.object({
  components: z.array(
    z.object({
      name: z.string(),
      chart: z
        .object({ repository: z.string().min(1), name: z.string().min(1), version: z.string().min(1) })
        .optional(),
    }),
  ),
});

/** The charts to pull: every component chart from a repository (not 23ke's own, not per-extension). */
export function catalogCharts(catalog: string | undefined): ChartRef[] {
  const source = catalog ?? latestCatalogVersion();
  if (existsSync(source)) {
    let raw: unknown;
    try {
      raw = parseYaml(readFileSync(source, "utf8"), MaxYamlBytes.config);
    } catch (e) {
      if (!(e instanceof YamlInputError)) throw e;
      throw new ValidationError("chart list", [{ path: "", message: e.message, file: source }], source);
    }
    if (typeof raw === "object" && raw !== null && !("repositories" in raw)) {
      const r = simpleCatalogSchema.safeParse(raw);
      if (!r.success) {
        throw new ValidationError(
          "chart list",
          r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message, file: source })),
          source,
        );
      }
      return r.data.components.flatMap((c) => (c.chart === undefined ? [] : [c.chart]));
    }
  }
  const cat = loadCatalog(source);
  return cat.components.flatMap((c) => {
    if (c.chart.repository === "builtin" || c.expand !== undefined) return [];
    const repository = cat.repositories[c.chart.repository] ?? c.chart.repository;
    return [{ repository, name: c.chart.name, version: c.chart.version }];
  });
}

export async function chartsPullCommand(ctx: CliContext, opts: ChartsPullOptions): Promise<number> {
  const refs = catalogCharts(opts.catalog);
  // The same wiring as apply's: credentials, OCI through helm (looked up only for an OCI chart).
  const source = repositoryCharts(
    {
      cacheDir: cacheDirOf(opts, ctx.env),
      mirrors: opts.mirror ?? [],
      mirrorsOption: "--mirror",
      ...(opts.credentials === undefined ? {} : { credentials: readRepositoryCredentials(opts.credentials) }),
    },
    Object.fromEntries(refs.map((r) => [r.repository, r.repository])),
    { binary: () => findHelm(opts.helm, ctx.env), env: ctx.env },
  );
  const dest = path.resolve(opts.dest);
  const pulled = await pullCharts(source, refs, dest, {
    signal: ctx.signal,
    onChart: (p) => {
      print(ctx, `${p.file}  sha256:${p.chart.digest}${p.chart.downloaded ? "" : "  (cached)"}`);
      for (const w of p.chart.warnings) printErr(ctx, `warning: ${w}`);
    },
  });
  print(ctx, `${pulled.length} charts and index.yaml written to ${dest}`);
  return 0;
}
