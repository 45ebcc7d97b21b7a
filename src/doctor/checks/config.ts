/**
 * Checks `config` and `catalog`: the 23ke-config is there and valid (files given with -f, else the
 * Secrets of the system namespace), and which release catalog an apply would use, refused when it
 * downgrades Gardener or skips a minor version.
 */
import { finding, type Finding } from "../findings.js";
import type { DoctorFacts } from "../doctor-facts.js";
import { installed } from "./common.js";

export function checkConfig(f: DoctorFacts): Finding[] {
  const c = f.config;
  switch (c.state) {
    case "valid":
      return [finding("config", "ok", `the 23ke-config (${c.source}) is valid`)];
    case "invalid": {
      const more =
        c.problemCount > c.problems.length ? `; and ${c.problemCount - c.problems.length} more` : "";
      return [
        finding(
          "config",
          "error",
          `the 23ke-config (${c.source}) has ${c.problemCount} problem(s): ${c.problems.join("; ")}${more}`,
          "fix them (23ke validate -f FILE lists every one with its line); nothing is applied until the config is valid",
          c.source,
        ),
      ];
    }
    case "missing":
      return [
        installed(f)
          ? finding(
              "config",
              "error",
              `no 23ke-config: ${c.problems.join("; ")}; the landscape was applied before, and the next apply without -f fails`,
              "restore the Secret 23ke-config (key values.yaml) in the system namespace",
              c.source,
            )
          : finding(
              "config",
              "info",
              `no 23ke-config in the cluster yet (${c.source})`,
              "apply reads it from the Secret 23ke-config (key values.yaml) of the system namespace, or from -f FILE; pass -f to doctor to check a file",
              c.source,
            ),
      ];
    case "unreadable":
      return [
        finding(
          "config",
          "warning",
          `could not read the 23ke-config (${c.source}): ${c.problems.join("; ")}`,
          "the identity may lack get on Secrets of the system namespace (see check rbac)",
          c.source,
        ),
      ];
  }
}

export function checkCatalog(f: DoctorFacts): Finding[] {
  const { catalog, origin, installed: before, skew } = f.catalog;
  const what = `catalog ${catalog.version} (${catalog.flavour}, Gardener ${catalog.gardener})`;
  const why = {
    flag: "named by --catalog",
    config: "named by the 23ke-config's catalog key",
    installed: "the landscape's installed catalog",
    newest: "the newest catalog, for a new landscape",
  }[origin];
  if (skew !== undefined)
    return [
      finding(
        "catalog",
        "error",
        `${what}, ${why}: ${skew}`,
        "upgrade one Gardener minor version at a time (23ke catalogs lists them), or keep the installed catalog",
        `catalog ${catalog.version}`,
      ),
    ];
  const change = before !== undefined && before !== catalog.version ? `; installed: catalog ${before}` : "";
  return [
    finding(
      "catalog",
      catalog.preview ? "info" : "ok",
      `${what}, ${why}${change}${catalog.preview ? "; a preview catalog" : ""}`,
    ),
  ];
}
