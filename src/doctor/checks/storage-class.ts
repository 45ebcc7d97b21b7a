/**
 * Check `storage-class`: a default StorageClass exists. The virtual garden's etcd keeps its data
 * in PersistentVolumeClaims that name no class (the etcd chart's, or etcd-druid's under
 * gardener-operator); without a default they stay Pending and the virtual garden never starts.
 */
import { finding, type Finding } from "../findings.js";
import type { DoctorFacts } from "../doctor-facts.js";
import { clusterOf, readOr } from "./common.js";

export const CHECK = "storage-class";

export function checkStorageClass(f: DoctorFacts): Finding[] {
  const c = clusterOf(f);
  if (c === undefined) return [];
  const r = readOr(c.storageClasses, CHECK, "the StorageClasses");
  if (r.finding !== undefined) return [r.finding];
  const classes = r.value;
  const defaults = classes.filter((s) => s.default);
  const where =
    f.catalog.catalog.flavour === "operator"
      ? "or name a class for the virtual garden's etcd in garden-values (virtualCluster.etcd.main.storage, virtualCluster.etcd.events.storage)"
      : "or name a class in etcd-values and etcd-events-values (volumeClaimTemplates)";
  if (defaults.length === 1) {
    const d = defaults[0];
    return [
      finding(
        CHECK,
        "ok",
        `default StorageClass ${d?.name ?? ""} (provisioner ${d?.provisioner ?? ""})`,
        "",
        `StorageClass ${d?.name ?? ""}`,
      ),
    ];
  }
  if (defaults.length > 1)
    return [
      finding(
        CHECK,
        "warning",
        `${defaults.length} StorageClasses are marked default (${defaults.map((s) => s.name).join(", ")}): Kubernetes gives a claim without a class the newest of them`,
        "keep the annotation storageclass.kubernetes.io/is-default-class=true on one only",
      ),
    ];
  return [
    finding(
      CHECK,
      "error",
      classes.length === 0
        ? "no StorageClass: the virtual garden's etcd volumes cannot be provisioned"
        : `no default StorageClass (there are ${classes.map((s) => s.name).join(", ")}): the virtual garden's etcd volumes name no class and would stay Pending`,
      classes.length === 0
        ? "install a storage provisioner with a default StorageClass (the cloud's CSI driver, or local-path-provisioner for a test cluster)"
        : `mark one default: kubectl annotate storageclass ${classes[0]?.name ?? "NAME"} storageclass.kubernetes.io/is-default-class=true, ${where}`,
    ),
  ];
}
