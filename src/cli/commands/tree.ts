/**
 * `23ke tree COMPONENT`: the objects a component owns (its Helm release's manifest as Helm stored
 * it, or what 23ke's own apply recorded), as an indented tree like `flux tree`, each object with
 * whether it exists and is ready in its cluster.
 */
import { stringify } from "yaml";
import type { ComponentTree, TreeObject } from "../../landscape/component-tree.js";
import { print, type CliContext } from "../context.js";
import { connectLandscape, type LandscapeOptions } from "../landscape.js";

export interface TreeOptions extends Pick<
  LandscapeOptions,
  "kubeconfig" | "context" | "inCluster" | "systemNamespace" | "virtualKubeconfig" | "catalog"
> {
  output: "text" | "json" | "yaml";
}

export async function treeCommand(ctx: CliContext, component: string, o: TreeOptions): Promise<number> {
  // Reading changes nothing: the version-skew guard, which protects an apply, does not apply.
  const landscape = await connectLandscape(ctx, {
    concurrency: 1,
    timeout: 60,
    ...o,
    forceVersionSkew: true,
  });
  let tree;
  try {
    tree = await landscape.tree(component, ctx.signal);
  } finally {
    landscape.close();
  }
  if (o.output === "json") print(ctx, JSON.stringify(tree, null, 2));
  else if (o.output === "yaml") ctx.stdout.write(stringify(tree));
  else for (const line of treeLines(tree)) print(ctx, line);
  return tree.objects.every((x) => x.exists && x.ready) ? 0 : 1;
}

/** `Kind/namespace/name` (cluster-scoped: `Kind/name`). */
export function objectPath(o: Pick<TreeObject, "kind" | "namespace" | "name">): string {
  return [o.kind, ...(o.namespace === undefined ? [] : [o.namespace]), o.name].join("/");
}

/** One word for an object: missing, not ready, ready, or exists (kinds without a readiness check). */
export function objectState(o: TreeObject): string {
  if (!o.exists) return "missing";
  if (!o.ready) return "not ready";
  return o.message === "exists" ? "exists" : "ready";
}

/**
 * The tree as text: the component with where its objects come from, then one line per object
 * with the glyphs of `flux tree`, its state and what readiness says.
 */
export function treeLines(t: ComponentTree): string[] {
  const where = t.target === "virtual" ? "virtual garden" : "base cluster";
  const from =
    t.release !== undefined
      ? `Helm release ${t.release.namespace}/${t.release.name} revision ${t.release.revision} (${t.release.status})`
      : t.source === "apply-record"
        ? "applied by 23ke (as its last apply recorded)"
        : "written by the configuration stage";
  const lines = [`${t.component}: ${from}, ${where}`];
  if (t.objects.length === 0) return [...lines, "└── (no objects)"];
  const width = Math.max(...t.objects.map((x) => objectPath(x).length));
  t.objects.forEach((x, i) => {
    const glyph = i === t.objects.length - 1 ? "└──" : "├──";
    const state = objectState(x);
    const detail = x.message === state || x.message === "exists" ? "" : `  ${x.message}`;
    lines.push(`${glyph} ${objectPath(x).padEnd(width)}  ${state}${detail}`.trimEnd());
  });
  return lines;
}
