/**
 * Checks `deletion-protection`: no Secret the landscape depends on (the 23ke-config, the
 * generated secrets, the base values, the PKI) was deleted while in use. Such a Secret is kept,
 * Terminating, by the finalizer 23ke.cloud/in-use (ADR 0018); this says so and what to do.
 */
import { terminatingMessage } from "../../config/in-use-protection.js";
import type { DoctorFacts } from "../doctor-facts.js";
import { finding, type Finding } from "../findings.js";
import { clusterOf, readOr } from "./common.js";

const CHECK = "deletion-protection";

export function checkDeletionProtection(f: DoctorFacts): Finding[] {
  const c = clusterOf(f);
  if (c?.deletedInUse === undefined) return [];
  const r = readOr(c.deletedInUse, CHECK, `the Secrets of ${f.systemNamespace}`);
  if (r.finding !== undefined) return [r.finding];
  return r.value.map((name) =>
    finding(
      CHECK,
      "warning",
      terminatingMessage(f.systemNamespace, name),
      "to keep the landscape, leave it: it stays readable and 23ke keeps using it; to remove the landscape, run 23ke uninstall --yes (it takes the finalizer off)",
      `Secret ${f.systemNamespace}/${name}`,
    ),
  );
}
