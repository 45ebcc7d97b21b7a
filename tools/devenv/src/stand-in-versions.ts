/**
 * One stand-in chart directory packaged under several upstream versions, the way upstream's
 * publishing CI packages one chart directory per release: the chart's version is set, and so is the
 * value the CI maps to the release (gardener's operator chart gets `image.tag` from its OCM
 * component). So every catalog's version of a chart resolves in the local chart repository without
 * a copy of the directory per version.
 *
 * A stand-in asks for it in its Chart.yaml:
 *
 *   annotations:
 *     23ke.io/also-packaged-as: "v1.150.0 v1.151.1"   # versions besides `version`
 *     23ke.io/version-in-values: image.tag            # optional: dotted values path set to the version
 *
 * Only versions whose values interface is the one the stand-in's values.schema.json describes
 * belong in the list; where the real chart differs between versions, the stand-in's templates
 * branch on `.Chart.Version` (semverCompare), which this packaging sets. What a template cannot
 * branch on (the files of `crds/`, which Helm does not render; a subchart's templates, whose
 * `.Chart.Version` is the subchart's) comes from an overlay: the files under
 * `versions/<version>/` replace or add to the copy of that version. The directory `versions/`
 * itself is left out of every package (the chart's .helmignore names it; the copies drop it).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseDocument } from "yaml";

export const ALSO_PACKAGED_AS = "23ke.io/also-packaged-as";
export const VERSION_IN_VALUES = "23ke.io/version-in-values";
/** The directory of a stand-in that holds per-version overlays: versions/<version>/. */
const OVERLAYS = "versions";

interface ChartMeta {
  version?: unknown;
  annotations?: Record<string, unknown>;
}

/** The versions besides Chart.yaml's `version` under which a chart directory is packaged. */
export function alsoPackagedAs(chartDir: string): string[] {
  const meta = parseDocument(readFileSync(path.join(chartDir, "Chart.yaml"), "utf8")).toJS() as ChartMeta;
  const list = meta.annotations?.[ALSO_PACKAGED_AS];
  return typeof list === "string" ? list.split(/\s+/).filter((v) => v !== "") : [];
}

/**
 * Copies of the chart directory, one per extra version, with Chart.yaml's version (and the
 * annotated values path) set; `remove` deletes them once packaged.
 */
export function versionedCopies(chartDir: string): { dirs: string[]; remove: () => void } {
  const versions = alsoPackagedAs(chartDir);
  if (versions.length === 0) return { dirs: [], remove: () => undefined };
  const scratch = mkdtempSync(path.join(os.tmpdir(), "23ke-stand-in-versions-"));
  const dirs: string[] = [];
  try {
    for (const version of versions) {
      const dir = path.join(scratch, version, path.basename(chartDir));
      cpSync(chartDir, dir, { recursive: true });
      rmSync(path.join(dir, OVERLAYS), { recursive: true, force: true });
      const overlay = path.join(chartDir, OVERLAYS, version);
      if (existsSync(overlay)) cpSync(overlay, dir, { recursive: true });
      const chartFile = path.join(dir, "Chart.yaml");
      const chart = parseDocument(readFileSync(chartFile, "utf8"));
      chart.set("version", version);
      chart.deleteIn(["annotations", ALSO_PACKAGED_AS]);
      writeFileSync(chartFile, chart.toString());
      const valuesPath = (chart.toJS() as ChartMeta).annotations?.[VERSION_IN_VALUES];
      if (typeof valuesPath === "string" && valuesPath !== "") {
        const valuesFile = path.join(dir, "values.yaml");
        const values = parseDocument(readFileSync(valuesFile, "utf8"));
        values.setIn(valuesPath.split("."), version);
        writeFileSync(valuesFile, values.toString());
      }
      dirs.push(dir);
    }
  } catch (e) {
    rmSync(scratch, { recursive: true, force: true });
    throw e;
  }
  return { dirs, remove: () => rmSync(scratch, { recursive: true, force: true }) };
}
