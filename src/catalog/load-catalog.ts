/**
 * Loading release catalogs: read (YAML with positions), then validate against the schema and the
 * dependency-graph rules, reporting every problem at once with file and line.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ValidationError, type Problem } from "../errors/errors.js";
import { checkGraph } from "../stages/graph.js";
import { catalogSchema, type Catalog } from "./catalog-schema.js";
import { readYamlSource, schemaProblems } from "./yaml-source.js";

export const catalogDir = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "src",
  "catalog",
  "catalogs",
);

/** The component the configuration stage stands for in `dependsOn`. */
export const CONFIGURATION = "configuration";

/** "1.86" < "1.149": by the numbers, not the letters. */
export function compareCatalogVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0 && !Number.isNaN(d)) return d;
  }
  return a.localeCompare(b);
}

/** The built-in catalogs, oldest first. */
export function catalogVersions(dir = catalogDir): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f.replace(/\.yaml$/, ""))
    .sort(compareCatalogVersions);
}

/** The newest built-in catalog that is not a preview: the default of a new landscape. */
export function latestCatalogVersion(dir = catalogDir): string {
  const v = catalogVersions(dir).filter((c) => !loadCatalog(c, dir).preview);
  const last = v[v.length - 1];
  if (last === undefined) throw new Error(`no release catalog in ${dir}`);
  return last;
}

/** Loads a catalog by version (e.g. "1.86") from the built-in catalogs, or from a file path. */
export function loadCatalog(versionOrFile: string, dir = catalogDir): Catalog {
  const file = versionOrFile.endsWith(".yaml") ? versionOrFile : path.join(dir, `${versionOrFile}.yaml`);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new ValidationError("release catalog", [
      {
        path: "",
        message: `no catalog '${versionOrFile}' (known: ${catalogVersions(dir).join(", ")})`,
        file,
      },
    ]);
  }
  return parseCatalog(text, file);
}

export function parseCatalog(text: string, file: string): Catalog {
  const src = readYamlSource(text, file, "release catalog");
  const lineOf = src.lineOf;
  const parsed = catalogSchema.safeParse(src.value);
  if (!parsed.success)
    throw new ValidationError("release catalog", schemaProblems(parsed.error.issues, src, file), file);
  const cat = parsed.data;
  const problems: Problem[] = [];
  const nodes = [{ name: CONFIGURATION, dependsOn: [] as string[] }, ...cat.components];
  for (const p of checkGraph(nodes)) {
    // Shift indexes by the synthetic configuration node, and add lines.
    const m = /^components\[(\d+)\](.*)$/.exec(p.path);
    if (m !== null) {
      const idx = Number(m[1]) - 1;
      const rest = m[2] ?? "";
      const segs: (string | number)[] = [
        "components",
        idx,
        ...rest
          .split(/[.[\]]/)
          .filter((s) => s !== "")
          .map((s) => (/^\d+$/.test(s) ? Number(s) : s)),
      ];
      const line = lineOf(segs);
      problems.push({
        ...p,
        path: `components[${idx}]${rest}`,
        file,
        ...(line === undefined ? {} : { line }),
      });
    } else {
      problems.push({ ...p, file });
    }
  }
  cat.components.forEach((c, i) => {
    if (c.chart.repository !== "builtin" && !(c.chart.repository in cat.repositories)) {
      const line = lineOf(["components", i, "chart", "repository"]);
      problems.push({
        path: `components[${i}].chart.repository`,
        message: `unknown repository '${c.chart.repository}' (known: builtin, ${Object.keys(cat.repositories).join(", ")})`,
        file,
        ...(line === undefined ? {} : { line }),
      });
    }
  });
  if (problems.length > 0) throw new ValidationError("release catalog", problems, file);
  return cat;
}
