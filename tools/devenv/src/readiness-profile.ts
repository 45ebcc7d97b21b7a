/**
 * Readiness profiles of the simulated nodes: how long kwok takes to make a Pod Ready, or a Job's
 * Pod complete. `fast` is kwok's own fast stages as tools/testenv/build.sh writes them
 * (tools/testenv/bin/kwok-stages.yaml: everything Ready at once; the tests use it). `realistic`
 * derives from the same stages a delay with jitter per kind of owner, so that a landscape installs
 * at the pace of a real base cluster (the benchmarks use it: `bench:release --profile realistic`,
 * `23ke-dev up --profile realistic`, or TWENTYTHREEKE_READINESS_PROFILE=realistic).
 *
 * The figures (a delay is drawn uniformly between `min` and `max`, kwok's duration and jitter):
 * - Pods of Deployments, ReplicaSets and DaemonSets: Ready 3–8 s after they are scheduled. The
 *   Kubernetes scalability SLO puts pod start-up (scheduling to running, images present) at
 *   p99 ≤ 5 s (kubernetes/community sig-scalability/slos/pod_startup_latency.md); a Gardener
 *   component's image (30–120 MB) pulled from a registry in the same region adds 1–3 s, a
 *   readiness probe's first success another period (typically 1–5 s after the start).
 * - Pods of StatefulSets: Ready 8–15 s. A PersistentVolume is provisioned and attached first
 *   (CSI create-volume plus attach: 5–10 s on the public clouds' block storage), then the
 *   process starts and, for etcd, joins or elects (1–2 s).
 * - Pods of Jobs: Running after 3–8 s like any pod, then Succeeded 5–10 s later (a migration or
 *   a certificate-generation Job of a chart: a few seconds of work after start-up).
 * - Nodes: Ready at once (they exist before the landscape is installed). Deletion: at once.
 * - CustomResourceDefinitions: not delayed. kube-apiserver's own establishing controller sets
 *   Established within milliseconds; kwok's stages cannot hold that back, and a webhook that
 *   could is not allowed near the test apiserver.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseAllDocuments, stringify } from "yaml";

export const readinessProfiles = ["fast", "realistic"] as const;
export type ReadinessProfile = (typeof readinessProfiles)[number];

/** A delay drawn uniformly between min and max milliseconds. */
export interface DelayRange {
  minMs: number;
  maxMs: number;
}

/** The realistic profile's figures (see the module comment for where they come from). */
export const realisticDelays = {
  /** Pods of Deployments (ReplicaSets), DaemonSets and anything else but the two below. */
  pod: { minMs: 3000, maxMs: 8000 },
  /** Pods of StatefulSets. */
  statefulSetPod: { minMs: 8000, maxMs: 15000 },
  /** From a Job's Pod running to its completion. */
  jobRun: { minMs: 5000, maxMs: 10000 },
} as const satisfies Record<string, DelayRange>;

/** The profile named by TWENTYTHREEKE_READINESS_PROFILE, or the given default. */
export function readinessProfileFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  fallback: ReadinessProfile = "fast",
): ReadinessProfile {
  const v = env.TWENTYTHREEKE_READINESS_PROFILE;
  if (v === undefined || v === "") return fallback;
  return parseReadinessProfile(v, "TWENTYTHREEKE_READINESS_PROFILE");
}

/** Checks a profile's name; the error names where it was given and what is known. */
export function parseReadinessProfile(value: string, where: string): ReadinessProfile {
  if ((readinessProfiles as readonly string[]).includes(value)) return value as ReadinessProfile;
  throw new Error(`${where}: unknown readiness profile '${value}' (known: ${readinessProfiles.join(", ")})`);
}

interface Stage {
  metadata: { name: string };
  spec: {
    selector?: { matchExpressions?: { key: string; operator: string; values?: string[] }[] };
    delay?: { durationMilliseconds: number; jitterDurationMilliseconds: number };
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

const OWNER_KIND = ".metadata.ownerReferences.[].kind";

function delayed(
  stage: Stage,
  name: string,
  d: DelayRange,
  owner?: { operator: string; kinds: string[] },
): Stage {
  const copy = structuredClone(stage);
  copy.metadata.name = name;
  copy.spec.delay = { durationMilliseconds: d.minMs, jitterDurationMilliseconds: d.maxMs };
  if (owner !== undefined) {
    copy.spec.selector ??= {};
    copy.spec.selector.matchExpressions = [
      ...(copy.spec.selector.matchExpressions ?? []),
      { key: OWNER_KIND, operator: owner.operator, values: owner.kinds },
    ];
  }
  return copy;
}

/**
 * The realistic stages from the fast ones: `pod-ready` split by owner (StatefulSet or not) with
 * their delays, `pod-complete` delayed by a Job's run; the other stages as they are.
 */
export function realisticStages(fastStagesYaml: string): string {
  const stages = parseAllDocuments(fastStagesYaml)
    .map((d) => d.toJS() as Stage | null)
    .filter((s): s is Stage => s !== null);
  const names = new Set(stages.map((s) => s.metadata.name));
  for (const needed of ["pod-ready", "pod-complete"])
    if (!names.has(needed)) throw new Error(`the fast kwok stages have no stage '${needed}'`);
  const out = stages.flatMap((s) => {
    if (s.metadata.name === "pod-ready")
      return [
        delayed(s, "pod-ready-statefulset", realisticDelays.statefulSetPod, {
          operator: "In",
          kinds: ["StatefulSet"],
        }),
        delayed(s, "pod-ready", realisticDelays.pod, { operator: "NotIn", kinds: ["StatefulSet"] }),
      ];
    if (s.metadata.name === "pod-complete") return [delayed(s, "pod-complete", realisticDelays.jobRun)];
    return [s];
  });
  return out.map((s) => stringify(s, { lineWidth: 0 })).join("---\n");
}

/** The stages file kwok gets for a profile (the realistic one is written into `dir`). */
export function kwokStagesFile(profile: ReadinessProfile, fastFile: string, realisticFile: string): string {
  if (profile === "fast") return fastFile;
  writeFileSync(realisticFile, realisticStages(readFileSync(fastFile, "utf8")));
  return realisticFile;
}
