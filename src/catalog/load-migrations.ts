/**
 * Loading a catalog's upgrade migrations (catalogs/<version>/migrations.yaml, ./migrations-schema.ts):
 * read with positions, validated against the schema and against the catalog they belong to
 * (every component named exists, a renamed component is gone), every problem reported at once
 * with file, entry and line. Resolving them for a landscape turns components into releases
 * (`<namespace>-<component>`, as release-units.ts names them).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { ValidationError, type Problem } from "../errors/errors.js";
import type { Catalog, CatalogComponent } from "./catalog-schema.js";
import { catalogDir } from "./load-catalog.js";
import { migrationsFileSchema, type Migration, type MigrationsFile } from "./migrations-schema.js";
import { problemAt, readYamlSource, schemaProblems } from "./yaml-source.js";

const WHAT = "catalog migrations";

/** Where the migrations of a built-in catalog live. */
export function migrationsFile(version: string, dir = catalogDir): string {
  return path.join(dir, version, "migrations.yaml");
}

/** The migrations of a built-in catalog; none when it has no migrations file. */
export function loadMigrations(catalog: Catalog, dir = catalogDir): Migration[] {
  const file = migrationsFile(catalog.version, dir);
  if (!existsSync(file)) return [];
  return parseMigrations(readFileSync(file, "utf8"), file, catalog).migrations;
}

export function parseMigrations(text: string, file: string, catalog: Catalog): MigrationsFile {
  const src = readYamlSource(text, file, WHAT);
  const parsed = migrationsFileSchema.safeParse(src.value);
  if (!parsed.success) throw new ValidationError(WHAT, schemaProblems(parsed.error.issues, src, file), file);
  const data = parsed.data;
  const problems: Problem[] = [];
  const at = (p: (string | number)[], message: string): void => {
    problems.push(problemAt(src, file, p, message));
  };
  if (data.catalog !== catalog.version)
    at(["catalog"], `says catalog ${data.catalog}, but the file belongs to catalog ${catalog.version}`);
  const known = catalog.components.filter((c) => c.expand === undefined).map((c) => c.name);
  const mustExist = (p: (string | number)[], c: string): void => {
    if (!known.includes(c))
      at(p, `no component '${c}' in catalog ${catalog.version} (known: ${known.join(", ")})`);
  };
  data.migrations.forEach((m, i) => {
    const e = ["migrations", i];
    switch (m.type) {
      case "crds":
      case "recreate-statefulset":
        mustExist([...e, "component"], m.component);
        break;
      case "move":
        mustExist([...e, "to", "component"], m.to.component);
        if (!known.includes(m.from.component) && m.from.namespace === undefined)
          at(
            [...e, "from"],
            `component '${m.from.component}' is not in catalog ${catalog.version}: name its release's namespace (from.namespace)`,
          );
        if (m.from.component === m.to.component) at([...e, "to", "component"], "the same as from.component");
        break;
      case "rename":
        mustExist([...e, "to", "component"], m.to.component);
        if (known.includes(m.from.component))
          at(
            [...e, "from", "component"],
            `'${m.from.component}' is still a component of catalog ${catalog.version}: only a component that is gone is renamed`,
          );
        break;
    }
  });
  if (problems.length > 0) throw new ValidationError(WHAT, problems, file);
  return data;
}

/** A release, as 23ke names it. */
export interface MigrationRelease {
  component: string;
  release: string;
  namespace: string;
  target: "base" | "virtual";
}

/** A migration with its components resolved to releases for one landscape. */
export type ResolvedMigration =
  | { type: "crds"; description: string; release: MigrationRelease }
  | {
      type: "move";
      description: string;
      object: { apiVersion: string; kind: string; name: string; namespace?: string };
      from: MigrationRelease;
      to: MigrationRelease;
    }
  | { type: "rename"; description: string; from: MigrationRelease; to: MigrationRelease }
  | {
      type: "recreate-statefulset";
      description: string;
      release: MigrationRelease;
      statefulSet: string;
      selector: Record<string, string>;
    };

/** Resolves validated migrations against their catalog for a system namespace. */
export function resolveMigrations(
  migrations: readonly Migration[],
  catalog: Catalog,
  systemNamespace: string,
): ResolvedMigration[] {
  const ns = (n: string): string => (n === "{{systemNamespace}}" ? systemNamespace : n);
  const byName = (c: string): CatalogComponent => {
    const found = catalog.components.find((x) => x.name === c);
    if (found === undefined) throw new Error(`no component ${c} in catalog ${catalog.version}`);
    return found;
  };
  const of = (c: string): MigrationRelease => {
    const comp = byName(c);
    const namespace = ns(comp.namespace);
    return { component: c, release: `${namespace}-${c}`, namespace, target: comp.target };
  };
  /** A release that may be gone from the catalog: in the namespace given, else of `like`. */
  const former = (
    r: { component: string; namespace?: string | undefined },
    like: string,
  ): MigrationRelease => {
    const current = catalog.components.find((x) => x.name === r.component);
    if (current !== undefined && r.namespace === undefined) return of(r.component);
    const namespace = ns(r.namespace ?? byName(like).namespace);
    return {
      component: r.component,
      release: `${namespace}-${r.component}`,
      namespace,
      target: byName(like).target,
    };
  };
  return migrations.map((m): ResolvedMigration => {
    switch (m.type) {
      case "crds":
        return { type: "crds", description: m.description, release: of(m.component) };
      case "move":
        return {
          type: "move",
          description: m.description,
          object: {
            apiVersion: m.object.apiVersion,
            kind: m.object.kind,
            name: m.object.name,
            ...(m.object.namespace === undefined ? {} : { namespace: ns(m.object.namespace) }),
          },
          from: former(m.from, m.to.component),
          to: of(m.to.component),
        };
      case "rename":
        return {
          type: "rename",
          description: m.description,
          from: former(m.from, m.to.component),
          to: of(m.to.component),
        };
      case "recreate-statefulset":
        return {
          type: "recreate-statefulset",
          description: m.description,
          release: of(m.component),
          statefulSet: m.statefulSet,
          selector: m.selector,
        };
    }
  });
}
