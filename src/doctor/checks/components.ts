/**
 * Check `components`: what the last apply recorded (ConfigMap 23ke-status): components that are
 * not Ready, with the message of their failure. Before the first apply there is nothing, and
 * doctor says what an install will need instead.
 */
import { ComponentState } from "../../status/component-state.js";
import { finding, type Finding } from "../findings.js";
import type { DoctorFacts } from "../doctor-facts.js";
import { clusterOf, readOr } from "./common.js";

export const CHECK = "components";

export function checkComponents(f: DoctorFacts): Finding[] {
  const c = clusterOf(f);
  if (c === undefined) return [];
  const r = readOr(
    c.status,
    CHECK,
    `the status of the landscape (ConfigMap ${f.systemNamespace}/23ke-status)`,
  );
  if (r.finding !== undefined) return [r.finding];
  const { records, invalid } = r.value;
  const out: Finding[] = [];
  if (invalid.length > 0)
    out.push(
      finding(
        CHECK,
        "warning",
        `status records that cannot be read: ${invalid.join(", ")} (read as absent)`,
        "the next apply writes them again",
        `ConfigMap ${f.systemNamespace}/23ke-status`,
      ),
    );
  if (records.length === 0) {
    out.push(
      finding(
        CHECK,
        "info",
        `nothing applied yet in system namespace ${f.systemNamespace}: the findings above say what an install needs`,
        "23ke apply -f 23ke-config.yaml installs the landscape",
      ),
    );
    return out;
  }
  const notReady = records.filter(
    (x) => !x.ready && x.state !== ComponentState.skipped && x.state !== ComponentState.uninstalled,
  );
  for (const x of notReady) {
    const failed = x.state === ComponentState.failed;
    out.push(
      finding(
        CHECK,
        failed ? "error" : "warning",
        `component ${x.component} is ${x.state} (${x.reason}): ${x.message}`,
        failed
          ? "fix what the message names; the next apply (or the running operator) tries again"
          : "it waits for what it depends on; 23ke status shows where the install stands",
        `Helm release ${x.namespace}/${x.release}`,
      ),
    );
  }
  if (notReady.length === 0) {
    const at = r.value.summary?.observedAt;
    out.push(
      finding(
        CHECK,
        "ok",
        `${records.length} component(s) Ready${at === undefined ? "" : ` (last pass ${at})`}`,
      ),
    );
  }
  return out;
}
