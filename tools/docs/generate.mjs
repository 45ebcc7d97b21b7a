// Writes the generated pages under docs/ from the built code (npm run docs).
import console from "node:console";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { catalogVersions, loadCatalog } from "../../dist/catalog/load-catalog.js";
import { documentedCatalogs, requirementsMarkdown } from "../../dist/config/base-cluster-requirements.js";

const root = path.resolve(import.meta.dirname, "..", "..");
const file = path.join(root, "docs", "base-cluster.md");
const catalogs = catalogVersions()
  .map((v) => loadCatalog(v))
  .filter((c) => !c.preview);
writeFileSync(file, requirementsMarkdown(documentedCatalogs(catalogs)));
console.log(`wrote ${path.relative(root, file)}`);
