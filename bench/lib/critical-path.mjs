// The critical-path bound of an install (issue 12): no engine can install the landscape faster
// than its longest chain of dependencies, each link costing one helm apply plus the time its
// workloads need to become ready. A component's readiness time is the expected time until the
// slowest of its Pods is Ready under the readiness profile (tools/devenv/src/readiness-profile.ts),
// computed from the Pods it runs (replicas of its Deployments, StatefulSets, DaemonSets and Jobs as
// they stand in the cluster after the install), so the bound is exact in expectation, not a guess.
import { realisticDelays } from "../../tools/devenv/dist/readiness-profile.js";

/** The delay ranges (ms) of one Pod of each workload kind under a profile; fast: all zero. */
function podDelays(profile, kind) {
  if (profile === "fast") return [];
  if (kind === "StatefulSet") return [realisticDelays.statefulSetPod];
  if (kind === "Job") return [realisticDelays.pod, realisticDelays.jobRun];
  return [realisticDelays.pod];
}

/**
 * E[max] of independent Pod readiness times, each the sum of uniform delays (a Job's Pod: start
 * plus run), by numerical integration of the product of their distribution functions.
 */
export function expectedSlowestMs(pods) {
  if (pods.length === 0) return 0;
  const samples = 4000;
  // A Pod's distribution function: exact for one uniform, a numerical convolution for two.
  const cdf = (ranges, t) => {
    if (ranges.length === 1) {
      const { minMs: a, maxMs: b } = ranges[0];
      return t <= a ? 0 : t >= b ? 1 : (t - a) / (b - a);
    }
    // Two uniforms: integrate the first's CDF against the second's density.
    const [u, v] = ranges;
    const steps = 200;
    let sum = 0;
    for (let i = 0; i < steps; i++) {
      const y = v.minMs + ((i + 0.5) / steps) * (v.maxMs - v.minMs);
      sum += cdf([u], t - y);
    }
    return sum / steps;
  };
  const hi = Math.max(...pods.map((p) => p.reduce((s, r) => s + r.maxMs, 0)));
  let expected = 0;
  const dt = hi / samples;
  for (let i = 0; i < samples; i++) {
    const t = (i + 0.5) * dt;
    expected += (1 - pods.reduce((prod, p) => prod * cdf(p, t), 1)) * dt;
  }
  return expected;
}

/** The Pods a component runs: one delay list per Pod, read from its workloads in the cluster. */
export async function podsOf(client, record, profile, nodes) {
  const pods = [];
  for (const o of record.objects ?? []) {
    if (!["Deployment", "StatefulSet", "DaemonSet", "Job"].includes(o.kind)) continue;
    const live = await client.get(o.apiVersion, o.kind, o.name, o.namespace ?? record.namespace);
    if (live === undefined) continue;
    const n =
      o.kind === "DaemonSet"
        ? nodes
        : o.kind === "Job"
          ? (live.spec?.completions ?? 1)
          : (live.spec?.replicas ?? 1);
    for (let i = 0; i < n; i++) pods.push(podDelays(profile, o.kind));
  }
  return pods.filter((p) => p.length > 0);
}

/**
 * The longest chain: each component costs `helmApplyMs` (if it is a Helm release) plus its
 * readiness; a component starts when all its dependencies are done. Returns the time and the chain.
 */
export function criticalPath(components, helmApplyMs) {
  const byName = new Map(components.map((c) => [c.name, c]));
  const done = new Map();
  const finish = (name) => {
    if (done.has(name)) return done.get(name);
    const c = byName.get(name);
    let start = { ms: 0, chain: [] };
    for (const d of c.dependsOn) {
      if (!byName.has(d)) continue;
      const f = finish(d);
      if (f.ms > start.ms) start = f;
    }
    const r = {
      ms: start.ms + (c.helm ? helmApplyMs : 0) + c.readinessMs,
      chain: [...start.chain, name],
    };
    done.set(name, r);
    return r;
  };
  return components.map((c) => finish(c.name)).reduce((a, b) => (b.ms > a.ms ? b : a), { ms: 0, chain: [] });
}
