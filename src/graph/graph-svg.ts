/**
 * DOT to SVG with Graphviz itself, compiled to WebAssembly (@viz-js/viz): no system Graphviz, no
 * hand-made SVG. The WebAssembly module is loaded on first use only, so the commands that never
 * draw do not pay for it.
 */
import { TerminalError } from "../errors/errors.js";
import { Reason } from "../status/reasons.js";

export async function dotToSvg(dot: string): Promise<string> {
  const { instance } = await import("@viz-js/viz");
  const viz = await instance();
  const r = viz.render(dot, { format: "svg", engine: "dot" });
  if (r.status !== "success")
    throw new TerminalError(
      `Graphviz could not lay out the graph: ${r.errors.map((e) => e.message).join("; ")}`,
      { reason: Reason.RenderFailed },
    );
  return r.output;
}
