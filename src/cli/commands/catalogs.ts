/**
 * `23ke catalogs`: the built-in release catalogs with their flavour, the Gardener version they
 * install, whether they are a preview, and which one a new landscape gets.
 */
import { stringify } from "yaml";
import { catalogVersions, latestCatalogVersion, loadCatalog } from "../../catalog/load-catalog.js";
import { print, type CliContext } from "../context.js";

export function catalogsCommand(ctx: CliContext, o: { output: "text" | "json" | "yaml" }): number {
  const newest = latestCatalogVersion();
  const rows = catalogVersions().map((name) => {
    const c = loadCatalog(name);
    return {
      name,
      flavour: c.flavour,
      gardener: c.gardener,
      components: c.components.length,
      preview: c.preview,
      default: name === newest,
      sources: c.sources,
    };
  });
  if (o.output === "json") print(ctx, JSON.stringify({ catalogs: rows }, null, 2));
  else if (o.output === "yaml") print(ctx, stringify({ catalogs: rows }).trimEnd());
  else {
    print(
      ctx,
      `${"NAME".padEnd(8)} ${"FLAVOUR".padEnd(12)} ${"GARDENER".padEnd(10)} ${"COMPONENTS".padEnd(10)} NOTE`,
    );
    for (const r of rows) {
      const note = [r.default ? "default for new landscapes" : "", r.preview ? "preview" : ""]
        .filter((x) => x !== "")
        .join(", ");
      print(
        ctx,
        `${r.name.padEnd(8)} ${r.flavour.padEnd(12)} ${r.gardener.padEnd(10)} ${String(r.components).padEnd(10)} ${note}`,
      );
    }
  }
  return 0;
}
