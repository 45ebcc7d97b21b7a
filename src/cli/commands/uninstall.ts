/**
 * `23ke uninstall`: removes the landscape's components, dependents first, and the operator that
 * `23ke install` put there; keeps what cannot be made again (the 23ke-config, the generated
 * secrets with the landscape's PKI, the base values) and, unless asked, the CRDs and the
 * PersistentVolumeClaims. The operator is stopped before any component goes (it would install
 * them again); the Landscapes go after the components. Without --yes it only lists what it would
 * remove, in order.
 */
import {
  deleteCrds,
  deleteLandscapes,
  deletePvcs,
  landscapeCrds,
  landscapePvcs,
  landscapesIn,
  operatorInstalled,
  stopOperator,
  type OperatorTarget,
  type RemovedRelease,
} from "../../install/remove-operator.js";
import { OPERATOR_RELEASE } from "../../install/install-plan.js";
import { LineProgress } from "../../status/progress.js";
import { print, type CliContext } from "../context.js";
import { connectLandscape, type LandscapeOptions } from "../landscape.js";

export interface UninstallOptions extends LandscapeOptions {
  yes: boolean;
  deleteCrds?: boolean;
  deletePvcs?: boolean;
  output: "text" | "json" | "yaml";
}

export async function uninstallCommand(ctx: CliContext, o: UninstallOptions): Promise<number> {
  const landscape = await connectLandscape(ctx, o);
  try {
    const target: OperatorTarget = {
      client: landscape.base,
      helm: landscape.helm(),
      kubeconfig: landscape.baseKubeconfig,
      namespace: o.systemNamespace,
      timeoutMs: o.timeout * 1000,
      signal: ctx.signal,
    };
    const operator = await operatorInstalled(target);
    if (!o.yes) {
      const order = await landscape.removalOrder();
      const landscapes = await landscapesIn(landscape.base, o.systemNamespace);
      if (order.length === 0 && !operator && landscapes.length === 0) {
        print(ctx, `nothing to uninstall: no components, operator or Landscape in ${o.systemNamespace}`);
        return 0;
      }
      if (operator)
        print(
          ctx,
          `first the operator: Helm release ${o.systemNamespace}/${OPERATOR_RELEASE} (it would install again what is removed)`,
        );
      print(ctx, `would uninstall ${order.length} component(s), in this order:`);
      order.forEach((n, i) => print(ctx, `${String(i + 1).padStart(3)}. ${n}`));
      if (landscapes.length > 0) print(ctx, `then the Landscape(s) ${landscapes.join(", ")}`);
      if (o.deleteCrds === true)
        print(ctx, "then the Landscape CRD and the CRDs Helm kept of the removed releases");
      if (o.deletePvcs === true)
        print(ctx, "then the PersistentVolumeClaims in the removed releases' namespaces");
      print(ctx);
      print(
        ctx,
        `kept: the 23ke-config Secrets, the repository credentials, the generated secrets (PKI, passwords), the base values${o.deleteCrds === true ? "" : ", CRDs (--delete-crds)"}${o.deletePvcs === true ? "" : ", PersistentVolumeClaims (--delete-pvcs)"}`,
      );
      print(ctx, "(their deletion protection, the finalizer 23ke.cloud/in-use, is taken off)");
      print(ctx, "run again with --yes to uninstall");
      return 1;
    }
    if (operator) {
      print(ctx, `stopping the operator: uninstalling Helm release ${o.systemNamespace}/${OPERATOR_RELEASE}`);
      await stopOperator(target);
    }
    const releases: RemovedRelease[] = (await landscape.status()).records.map((r) => ({
      component: r.component,
      release: r.release,
      namespace: r.namespace,
      target: r.target,
    }));
    const progress = new LineProgress((s) => ctx.stderr.write(s));
    let r;
    try {
      r = await landscape.uninstall({ signal: ctx.signal, onProgress: (e) => progress.update(e) });
    } finally {
      progress.finish();
    }
    const removed = releases.filter((x) => r.uninstalled.includes(x.component));
    const after = { landscapes: [] as string[], crds: [] as string[], pvcs: [] as string[] };
    // Only after every component went: a failed one may still need its CRDs, volumes and Landscape.
    if (r.ok) {
      after.landscapes = await deleteLandscapes(landscape.base, o.systemNamespace);
      if (o.deleteCrds === true) {
        after.crds = await landscapeCrds(landscape.base, removed);
        await deleteCrds(landscape.base, after.crds);
      }
      if (o.deletePvcs === true) {
        const claims = await landscapePvcs(landscape.base, removed);
        await deletePvcs(landscape.base, claims);
        after.pvcs = claims.map((c) => `${c.metadata.namespace ?? ""}/${c.metadata.name}`);
      }
    }
    if (o.output !== "text") {
      const doc = {
        ok: r.ok,
        operator: operator ? "removed" : "absent",
        uninstalled: r.uninstalled,
        failed: r.failed,
        unprotected: r.unprotected,
        ...after,
      };
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
      if (after.landscapes.length > 0) print(ctx, `Landscape(s) deleted: ${after.landscapes.join(", ")}`);
      if (after.crds.length > 0) print(ctx, `CRDs deleted: ${after.crds.join(", ")}`);
      if (after.pvcs.length > 0) print(ctx, `PersistentVolumeClaims deleted: ${after.pvcs.join(", ")}`);
      if (!r.ok && operator)
        print(ctx, "the operator is stopped; run uninstall again once the failure is fixed");
    }
    return r.ok ? 0 : 1;
  } finally {
    landscape.close();
  }
}
