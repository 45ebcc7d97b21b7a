/**
 * `23ke graph`: the dependency graph of the components a config enables, as Mermaid, DOT or SVG
 * (Graphviz, through src/graph/graph-svg.ts). Offline from -f; with a cluster each node is
 * coloured by the state its record holds.
 */
import { writeFileSync } from "node:fs";
import { toDot } from "../../graph/graph-dot.js";
import { toMermaid } from "../../graph/graph-mermaid.js";
import { dotToSvg } from "../../graph/graph-svg.js";
import { printErr, type CliContext } from "../context.js";
import { clusterNamed, connectLandscape, type LandscapeOptions } from "../landscape.js";

export const GRAPH_FORMATS = ["mermaid", "dot", "svg"] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

export interface GraphOptions extends Pick<
  LandscapeOptions,
  | "file"
  | "valuesDir"
  | "configRepo"
  | "configRef"
  | "configPath"
  | "catalog"
  | "kubeconfig"
  | "context"
  | "inCluster"
  | "systemNamespace"
  | "cacheDir"
> {
  format?: GraphFormat;
  /** A file to write instead of stdout. */
  output?: string;
}

/** The format a file name asks for: `.svg`, `.dot`/`.gv`, `.mmd`/`.mermaid`. */
export function formatOfFile(file: string | undefined): GraphFormat | undefined {
  const ext = /\.([a-z]+)$/i.exec(file ?? "")?.[1]?.toLowerCase();
  if (ext === "svg") return "svg";
  if (ext === "dot" || ext === "gv") return "dot";
  if (ext === "mmd" || ext === "mermaid") return "mermaid";
  return undefined;
}

export async function graphCommand(ctx: CliContext, o: GraphOptions): Promise<number> {
  const format = o.format ?? formatOfFile(o.output) ?? "mermaid";
  const withCluster = clusterNamed(o, ctx.env);
  // A picture changes nothing: the version-skew guard, which protects an apply, does not apply.
  const landscape = await connectLandscape(
    ctx,
    { concurrency: 1, timeout: 60, ...o, forceVersionSkew: true },
    { offline: !withCluster },
  );
  let graph;
  try {
    graph = await landscape.graph(ctx.signal);
  } finally {
    landscape.close();
  }
  const text =
    format === "mermaid" ? toMermaid(graph) : format === "dot" ? toDot(graph) : await dotToSvg(toDot(graph));
  if (o.output === undefined) {
    ctx.stdout.write(text);
    return 0;
  }
  writeFileSync(o.output, text);
  const enabled = graph.components.filter((c) => c.disabled === undefined).length;
  printErr(
    ctx,
    `${format} graph of ${enabled} component(s) of ${graph.title}${withCluster ? ", coloured by state" : ""} written to ${o.output}`,
  );
  return 0;
}
