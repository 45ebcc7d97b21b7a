/**
 * Checks `helm` and `git`: the binaries 23ke runs, where they are and their versions. 23ke drives
 * Helm 4 (--helm, else $HELM_BINARY, else helm on PATH); git fetches the configuration
 * repository (--config-repo) and must be new enough for the configuration 23ke passes it.
 */
import { MINIMUM_GIT_VERSION } from "../../sources/git/git-version.js";
import { finding, type Finding } from "../findings.js";
import type { DoctorFacts } from "../doctor-facts.js";

const HELM_ADVICE = "install Helm 4 as helm on PATH, or name it with --helm PATH or $HELM_BINARY";
const GIT_ADVICE = `install git ${MINIMUM_GIT_VERSION} or newer on PATH; without it use --values-dir with a checkout instead of --config-repo`;

export function checkHelm(f: DoctorFacts): Finding[] {
  const h = f.helm;
  if (h.version === undefined)
    return [finding("helm", "error", `no usable helm: ${h.problem ?? "unknown"}`, HELM_ADVICE, h.path)];
  const major = /^v?(\d+)\./.exec(h.version)?.[1];
  if (major !== "4")
    return [
      finding(
        "helm",
        "error",
        `helm ${h.version} (${h.path ?? "?"}): 23ke drives Helm 4`,
        HELM_ADVICE,
        h.path,
      ),
    ];
  return [finding("helm", "ok", `helm ${h.version} (${h.path ?? "?"})`)];
}

/** "2.47.3" ≥ "2.31"? */
export function versionAtLeast(v: string, min: string): boolean {
  const a = v.split(".").map(Number);
  const b = min.split(".").map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

export function checkGit(f: DoctorFacts): Finding[] {
  const g = f.git;
  if (g.version === undefined)
    return [
      finding(
        "git",
        "warning",
        `no usable git: ${g.problem ?? "unknown"}; a configuration repository (--config-repo) cannot be fetched`,
        GIT_ADVICE,
        g.path,
      ),
    ];
  if (!versionAtLeast(g.version, MINIMUM_GIT_VERSION))
    return [
      finding(
        "git",
        "warning",
        `git ${g.version} (${g.path ?? "?"}) is older than ${MINIMUM_GIT_VERSION}, which fetching a configuration repository needs (GIT_CONFIG_COUNT)`,
        GIT_ADVICE,
        g.path,
      ),
    ];
  return [finding("git", "ok", `git ${g.version} (${g.path ?? "?"})`)];
}
