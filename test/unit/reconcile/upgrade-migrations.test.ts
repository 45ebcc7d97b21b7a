/**
 * The pure parts of the upgrade migrations (src/reconcile/upgrade-migrations.ts): the order the
 * apply carries them out in, the CRDs of `helm show crds`, and the extra ordering of a moved
 * object's old and new owner.
 */
import { describe, expect, it } from "vitest";
import type { ResolvedMigration } from "../../../src/catalog/load-migrations.js";
import { crdsOf, moveOrdering, orderForApply } from "../../../src/reconcile/upgrade-migrations.js";

const rel = (component: string) => ({
  component,
  release: `garden-${component}`,
  namespace: "garden",
  target: "base" as const,
});
const move = (from: string, to: string): ResolvedMigration => ({
  type: "move",
  description: "d",
  object: { apiVersion: "v1", kind: "ConfigMap", name: "x", namespace: "garden" },
  from: rel(from),
  to: rel(to),
});

describe("upgrade migrations", () => {
  it("are carried out moves first, then renames, then CRDs and StatefulSets", () => {
    const list: ResolvedMigration[] = [
      {
        type: "recreate-statefulset",
        description: "d",
        release: rel("etcd"),
        statefulSet: "etcd",
        selector: { a: "b" },
      },
      { type: "crds", description: "d", release: rel("cm") },
      { type: "rename", description: "d", from: rel("old"), to: rel("new") },
      move("a", "b"),
    ];
    expect(orderForApply(list).map((m) => m.type)).toEqual([
      "move",
      "rename",
      "crds",
      "recreate-statefulset",
    ]);
  });

  it("take the CustomResourceDefinitions of a chart's crds/ and nothing else", () => {
    const text = [
      "---",
      "# Source: c/crds/a.yaml",
      "apiVersion: apiextensions.k8s.io/v1",
      "kind: CustomResourceDefinition",
      "metadata: { name: as.example.org }",
      "---",
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata: { name: not-a-crd }",
      "---",
      "",
    ].join("\n");
    expect(crdsOf(text).map((c) => c.metadata.name)).toEqual(["as.example.org"]);
    expect(crdsOf("")).toEqual([]);
  });

  it("upgrade a moved object's new owner after its old owner, unless that would be a cycle", () => {
    const units = [
      { name: "a", dependsOn: [] },
      { name: "b", dependsOn: [] },
      { name: "c", dependsOn: ["d"] },
      { name: "d", dependsOn: [] },
    ];
    expect(moveOrdering([move("a", "b")], units)).toEqual(new Map([["b", ["a"]]]));
    // c depends on d: d after c would be a cycle.
    expect(moveOrdering([move("c", "d")], units)).toEqual(new Map());
    // The old owner is no component any more (renamed away): nothing to order.
    expect(moveOrdering([move("gone", "b")], units)).toEqual(new Map());
  });
});
