/**
 * A catalog's upgrade migrations (catalogs/<version>/migrations.yaml): the built-in ones load and
 * resolve to releases; bad migration data is refused with every problem, each naming the file,
 * the entry (key path) and its line.
 */
import { describe, expect, it } from "vitest";
import { catalogVersions, loadCatalog } from "../../../src/catalog/load-catalog.js";
import { loadMigrations, parseMigrations, resolveMigrations } from "../../../src/catalog/load-migrations.js";
import { ValidationError, formatProblem } from "../../../src/errors/errors.js";

const c187 = loadCatalog("1.87");

function problems(text: string): string[] {
  try {
    parseMigrations(text, "1.87/migrations.yaml", c187);
  } catch (e) {
    if (e instanceof ValidationError) return e.problems.map(formatProblem);
    throw e;
  }
  return [];
}

const head = `catalog: "1.87"\nfrom: "1.86"\nmigrations:\n`;

describe("built-in migrations", () => {
  it("every catalog's migrations file validates against its catalog", () => {
    for (const v of catalogVersions()) expect(() => loadMigrations(loadCatalog(v)), v).not.toThrow();
  });

  it("1.87 resolves to the releases an upgrade from 1.86 touches", () => {
    const resolved = resolveMigrations(loadMigrations(c187), c187, "23ke-system");
    expect(resolved.map((m) => m.type)).toEqual([
      "crds",
      "move",
      "rename",
      "recreate-statefulset",
      "recreate-statefulset",
    ]);
    expect(resolved[1]).toMatchObject({
      type: "move",
      object: { kind: "PriorityClass", name: "gardener-system-critical" },
      from: { release: "garden-internal-gardenlet", namespace: "garden" },
      to: { component: "gardener-runtime", release: "garden-gardener-runtime", namespace: "garden" },
    });
    expect(resolved[2]).toMatchObject({
      type: "rename",
      from: { component: "internal-gardenlet", release: "garden-internal-gardenlet", target: "base" },
      to: { component: "gardenlet", release: "garden-gardenlet", target: "base" },
    });
    expect(resolved[3]).toMatchObject({
      release: { release: "garden-etcd", namespace: "garden" },
      statefulSet: "etcd",
      selector: { "app.kubernetes.io/name": "etcd" },
    });
  });

  it("the 1.86 catalog has none", () => {
    expect(loadMigrations(loadCatalog("1.86"))).toEqual([]);
  });
});

describe("bad migration data", () => {
  it.each([
    [
      "an unknown type",
      `${head}  - type: delete\n    description: x\n    component: etcd\n`,
      ["1.87/migrations.yaml:4: migrations[0].type: "],
    ],
    [
      "a missing description",
      `${head}  - type: crds\n    component: cert-management\n`,
      ["1.87/migrations.yaml:4: migrations[0].description: required (a string)"],
    ],
    [
      "an unknown key",
      `${head}  - type: crds\n    description: x\n    component: cert-management\n    chart: foo\n`,
      ['1.87/migrations.yaml:4: migrations[0]: Unrecognized key: "chart"'],
    ],
    [
      "a component the catalog does not have",
      `${head}  - type: crds\n    description: x\n    component: cert-managment\n`,
      [
        "1.87/migrations.yaml:6: migrations[0].component: no component 'cert-managment' in catalog 1.87 (known: ",
      ],
    ],
    [
      "a rename from a component that is still there",
      `${head}  - type: rename\n    description: x\n    from: { component: etcd }\n    to: { component: gardenlet }\n`,
      [
        "1.87/migrations.yaml:6: migrations[0].from.component: 'etcd' is still a component of catalog 1.87: only a component that is gone is renamed",
      ],
    ],
    [
      "a move from a former component without its namespace",
      `${head}  - type: move\n    description: x\n    object: { apiVersion: v1, kind: ConfigMap, name: a, namespace: garden }\n    from: { component: old }\n    to: { component: etcd }\n`,
      [
        "1.87/migrations.yaml:7: migrations[0].from: component 'old' is not in catalog 1.87: name its release's namespace (from.namespace)",
      ],
    ],
    [
      "a StatefulSet without a selector label",
      `${head}  - type: recreate-statefulset\n    description: x\n    component: etcd\n    statefulSet: etcd\n    selector: {}\n`,
      ["1.87/migrations.yaml:8: migrations[0].selector: at least one label"],
    ],
    [
      "the file of another catalog",
      `catalog: "1.88"\nfrom: "1.87"\nmigrations:\n  - type: crds\n    description: x\n    component: etcd\n`,
      ["1.87/migrations.yaml:1: catalog: says catalog 1.88, but the file belongs to catalog 1.87"],
    ],
    [
      "no migrations",
      `${head.replace("migrations:\n", "migrations: []\n")}`,
      ["1.87/migrations.yaml:3: migrations: Too small: expected array to have >=1 items"],
    ],
  ])("%s", (_, text, expected) => {
    const got = problems(text);
    expect(got).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(got[i]).toContain(e));
  });

  it("reports every problem of a file at once, each with its entry", () => {
    const got = problems(
      `${head}  - type: crds\n    description: x\n    component: nope\n  - type: recreate-statefulset\n    description: y\n    component: also-nope\n    statefulSet: s\n    selector: { a: b }\n`,
    );
    expect(got.map((p) => p.split(": ")[1])).toEqual(["migrations[0].component", "migrations[1].component"]);
  });

  it("YAML that does not parse names file and line", () => {
    expect(problems(`${head}  - type: crds\n   description: [\n`)[0]).toMatch(/^1\.87\/migrations\.yaml:5/);
  });
});
