/**
 * Check `helm-releases`: Helm releases of the base cluster left pending (an operation that did not
 * finish, usually a killed helm) or failed, read from Helm's storage. A pending release refuses
 * every other operation on it; 23ke recovers its own on the next apply, others need `helm
 * rollback`. While an apply holds the lock, pending is what an operation in flight looks like.
 */
import type { StoredReleaseEntry } from "../../helm/release-storage.js";
import { finding, type Finding } from "../findings.js";
import type { DoctorFacts } from "../doctor-facts.js";
import { clusterOf, duration, readOr } from "./common.js";

export const CHECK = "helm-releases";

export function checkHelmReleases(f: DoctorFacts): Finding[] {
  const c = clusterOf(f);
  if (c === undefined) return [];
  const r = readOr(c.releases, CHECK, "Helm's release storage (Secrets labelled owner=helm)");
  if (r.finding !== undefined) return [r.finding];
  const ours = new Set<string>();
  for (const comp of f.catalog.catalog.components) {
    const ns = comp.namespace === "{{systemNamespace}}" ? f.systemNamespace : comp.namespace;
    ours.add(`${ns}/${ns}-${comp.name}`);
  }
  if ("value" in c.status)
    for (const rec of c.status.value.records) ours.add(`${rec.namespace}/${rec.release}`);
  const lock = "value" in c.applyLock ? c.applyLock.value : undefined;
  const applying =
    lock !== undefined &&
    lock.holder !== "" &&
    lock.renewedAt !== undefined &&
    lock.renewedAt + lock.durationSeconds * 1000 >= f.now;
  const out: Finding[] = [];
  const name = (x: StoredReleaseEntry): string => `${x.namespace}/${x.name}`;
  const secret = (x: StoredReleaseEntry): string =>
    `Secret ${x.namespace}/sh.helm.release.v1.${x.name}.v${x.revision}`;
  for (const x of r.value) {
    const mine = ours.has(name(x));
    if (x.status.startsWith("pending-")) {
      const since = x.startedAt === undefined ? "" : ` since ${duration(f.now - x.startedAt)}`;
      out.push(
        applying
          ? finding(
              CHECK,
              "info",
              `Helm release ${name(x)} revision ${x.revision} is ${x.status}${since}, while an apply runs (${lock.holder})`,
              "",
              secret(x),
            )
          : finding(
              CHECK,
              "warning",
              `Helm release ${name(x)} revision ${x.revision} is left ${x.status}${since}: helm refuses every other operation on it`,
              mine
                ? "the next 23ke apply recovers it (rolls back or removes the pending revision) and applies again"
                : `not 23ke's: helm rollback -n ${x.namespace} ${x.name} (or helm uninstall for a first install) once nothing works on it`,
              secret(x),
            ),
      );
    } else if (x.status === "failed") {
      out.push(
        finding(
          CHECK,
          "warning",
          `Helm release ${name(x)} revision ${x.revision} failed`,
          mine
            ? "23ke's: the next apply installs it again or rolls it back; 23ke status shows the failure's message"
            : `not 23ke's: see helm history -n ${x.namespace} ${x.name}`,
          secret(x),
        ),
      );
    }
  }
  if (out.length === 0)
    out.push(
      finding(
        CHECK,
        "ok",
        r.value.length === 0
          ? "no Helm releases in the base cluster"
          : `${r.value.length} Helm release(s), none pending or failed`,
      ),
    );
  return out;
}
