/**
 * Check `vpa`: whether the base cluster serves the VerticalPodAutoscaler CRD, and what the
 * landscape does about it (`baseCluster.vpa`, docs/base-cluster.md): with `auto` the charts
 * render VPAs only when the CRD is there; `install` has 23ke install the CRDs (component
 * vpa-crds); in the operator flavour gardener-operator deploys a VPA of its own unless the
 * cluster brings one.
 */
import { VPA_CRD, vpaCrdsRelease } from "../../config/cluster-facts.js";
import { finding, type Finding } from "../findings.js";
import type { DoctorFacts } from "../doctor-facts.js";
import { clusterOf, describeOwner, readOr } from "./common.js";

export const CHECK = "vpa";

export function checkVpa(f: DoctorFacts): Finding[] {
  const c = clusterOf(f);
  if (c === undefined) return [];
  const r = readOr(c.crds, CHECK, "the CustomResourceDefinitions");
  if (r.finding !== undefined) return [r.finding];
  const crd = r.value.find((o) => o.name === VPA_CRD);
  const mode = f.config.vpaMode ?? "auto";
  const assumed = f.config.vpaMode === undefined ? ", assumed: the 23ke-config was not read" : "";
  const operator = f.catalog.catalog.flavour === "operator";
  const object = `CustomResourceDefinition ${VPA_CRD}`;
  if (crd !== undefined) {
    const ours = crd.owner.helmRelease?.name === vpaCrdsRelease(f.systemNamespace);
    if (mode === "off")
      return [
        finding(
          CHECK,
          "info",
          `the base cluster serves the VPA CRDs, but baseCluster.vpa is off: the charts render no VerticalPodAutoscalers`,
          "set baseCluster.vpa: auto to use them",
          object,
        ),
      ];
    return [
      finding(
        CHECK,
        "ok",
        ours
          ? "the VPA CRDs are 23ke's (component vpa-crds): the charts render VerticalPodAutoscalers"
          : `the base cluster serves the VPA CRDs (by ${describeOwner(crd.owner)}): the charts render VerticalPodAutoscalers${operator ? ", and gardener-operator deploys no VPA of its own" : ""}`,
        "",
        object,
      ),
    ];
  }
  if (mode === "install")
    return [
      finding(
        CHECK,
        "ok",
        "no VPA CRDs yet: 23ke installs them (baseCluster.vpa: install, component vpa-crds)",
        "",
        object,
      ),
    ];
  if (mode === "off")
    return [
      finding(
        CHECK,
        "info",
        "no VPA CRDs, and baseCluster.vpa is off: no VerticalPodAutoscalers",
        "",
        object,
      ),
    ];
  return [
    finding(
      CHECK,
      "info",
      operator
        ? `no VPA CRDs (baseCluster.vpa: auto${assumed}): gardener-operator deploys a VPA into the base cluster with the Garden`
        : `no VPA CRDs (baseCluster.vpa: auto${assumed}): the charts render no VerticalPodAutoscalers, so nothing of the landscape is autoscaled`,
      operator
        ? ""
        : "set baseCluster.vpa: install in the 23ke-config to have 23ke install the CRDs (the initial seed's gardenlet runs the VPA controllers)",
      object,
    ),
  ];
}
