/**
 * `23ke uninstall`: removes the landscape's components, dependents first, and keeps what cannot
 * be made again (the 23ke-config, the generated secrets with the landscape's PKI, the base
 * values). Without --yes it only lists what it would remove, in order.
 */
import { LineProgress } from "../../status/progress.js";
import { print, type CliContext } from "../context.js";
import { connectLandscape, type LandscapeOptions } from "../landscape.js";

export interface UninstallOptions extends LandscapeOptions {
  yes: boolean;
  output: "text" | "json" | "yaml";
}

export async function uninstallCommand(ctx: CliContext, o: UninstallOptions): Promise<number> {
  const landscape = await connectLandscape(ctx, o);
  try {
    if (!o.yes) {
      const order = await landscape.removalOrder();
      if (order.length === 0) {
        print(ctx, `nothing to uninstall: no components recorded in ${o.systemNamespace}`);
        return 0;
      }
      print(ctx, `would uninstall ${order.length} component(s), in this order:`);
      order.forEach((n, i) => print(ctx, `${String(i + 1).padStart(3)}. ${n}`));
      print(ctx);
      print(ctx, "kept: the 23ke-config Secrets, the generated secrets (PKI, passwords), the base values");
      print(ctx, "(their deletion protection, the finalizer 23ke.cloud/in-use, is taken off)");
      print(ctx, "run again with --yes to uninstall");
      return 1;
    }
    const progress = new LineProgress((s) => ctx.stderr.write(s));
    let r;
    try {
      r = await landscape.uninstall({ signal: ctx.signal, onProgress: (e) => progress.update(e) });
    } finally {
      progress.finish();
    }
    if (o.output !== "text") {
      const doc = { ok: r.ok, uninstalled: r.uninstalled, failed: r.failed, unprotected: r.unprotected };
      const { stringify } = await import("yaml");
      print(ctx, o.output === "json" ? JSON.stringify(doc, null, 2) : stringify(doc).trimEnd());
    } else {
      print(ctx, `${r.uninstalled.length} component(s) uninstalled`);
      if (r.unprotected.length > 0)
        print(
          ctx,
          `kept, no longer protected from deletion (finalizer 23ke.cloud/in-use removed): ${r.unprotected.join(", ")}`,
        );
      for (const f of r.failed) print(ctx, `failed: ${f.name}: ${f.message}`);
    }
    return r.ok ? 0 : 1;
  } finally {
    landscape.close();
  }
}
