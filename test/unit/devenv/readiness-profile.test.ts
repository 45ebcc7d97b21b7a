import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import {
  parseReadinessProfile,
  readinessProfileFromEnv,
  realisticDelays,
  realisticStages,
} from "../../../tools/devenv/src/readiness-profile.js";

const fast = `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: {name: node-initialize}
spec: {resourceRef: {kind: Node}, next: {statusTemplate: "phase: Running"}}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: {name: pod-ready}
spec:
  resourceRef: {kind: Pod}
  selector: {matchExpressions: [{key: .status.phase, operator: In, values: [Pending]}]}
  next: {statusTemplate: "phase: Running"}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: {name: pod-complete}
spec: {resourceRef: {kind: Pod}, next: {statusTemplate: "phase: Succeeded"}}
`;

interface S {
  metadata: { name: string };
  spec: {
    delay?: { durationMilliseconds: number; jitterDurationMilliseconds: number };
    selector?: { matchExpressions: { key: string; operator: string; values: string[] }[] };
  };
}

describe("readiness profiles", () => {
  const stages = parseAllDocuments(realisticStages(fast)).map((d) => d.toJS() as S);
  const byName = new Map(stages.map((s) => [s.metadata.name, s]));

  it("splits pod-ready by owner and delays it; StatefulSet pods take longer", () => {
    expect([...byName.keys()]).toEqual([
      "node-initialize",
      "pod-ready-statefulset",
      "pod-ready",
      "pod-complete",
    ]);
    const sts = byName.get("pod-ready-statefulset");
    const other = byName.get("pod-ready");
    expect(sts?.spec.delay).toEqual({
      durationMilliseconds: realisticDelays.statefulSetPod.minMs,
      jitterDurationMilliseconds: realisticDelays.statefulSetPod.maxMs,
    });
    expect(other?.spec.delay?.durationMilliseconds).toBe(realisticDelays.pod.minMs);
    expect(sts?.spec.selector?.matchExpressions.at(-1)).toEqual({
      key: ".metadata.ownerReferences.[].kind",
      operator: "In",
      values: ["StatefulSet"],
    });
    expect(other?.spec.selector?.matchExpressions.at(-1)?.operator).toBe("NotIn");
    // the original selector stays
    expect(other?.spec.selector?.matchExpressions[0]?.key).toBe(".status.phase");
    expect(realisticDelays.statefulSetPod.minMs).toBeGreaterThan(realisticDelays.pod.minMs);
  });

  it("delays a Job's completion and leaves the node stages alone", () => {
    expect(byName.get("pod-complete")?.spec.delay?.durationMilliseconds).toBe(realisticDelays.jobRun.minMs);
    expect(byName.get("node-initialize")?.spec.delay).toBeUndefined();
  });

  it("refuses stages without pod-ready", () => {
    expect(() => realisticStages(fast.split("---")[0] ?? "")).toThrow(/no stage 'pod-ready'/);
  });

  it("names an unknown profile and where it was given", () => {
    expect(() => parseReadinessProfile("slow", "--profile")).toThrow(
      "--profile: unknown readiness profile 'slow' (known: fast, realistic)",
    );
    expect(readinessProfileFromEnv({})).toBe("fast");
    expect(readinessProfileFromEnv({ TWENTYTHREEKE_READINESS_PROFILE: "realistic" })).toBe("realistic");
    expect(() => readinessProfileFromEnv({ TWENTYTHREEKE_READINESS_PROFILE: "x" })).toThrow(
      /TWENTYTHREEKE_READINESS_PROFILE/,
    );
  });
});
