/**
 * Waiting for a Landscape to become Ready after an install: polls its status (the operator
 * writes it) and reports each component's state as it changes, bounded by a timeout and the
 * process's signal. Ready means the Ready condition is True for the current generation; Stalled
 * True ends the wait at once (the operator will not retry until an input changes).
 */
import {
  LANDSCAPE_API_VERSION,
  LANDSCAPE_KIND,
  parseLandscape,
  type Landscape,
  type LandscapeCondition,
} from "../api/landscape.js";
import type { KubeClient } from "../kube/client.js";
import { waitFor } from "../util/wait.js";

export interface LandscapeProgress {
  component: string;
  state: string;
  message: string;
}

export type LandscapeOutcome =
  { ready: true; landscape: Landscape } | { ready: false; stalled: LandscapeCondition; landscape: Landscape };

function condition(l: Landscape, type: LandscapeCondition["type"]): LandscapeCondition | undefined {
  return l.status?.conditions?.find((c) => c.type === type);
}

/** Whether the status speaks of the current spec (the operator has seen this generation). */
function current(l: Landscape, c: LandscapeCondition): boolean {
  const gen = l.metadata.generation;
  const seen = c.observedGeneration ?? l.status?.observedGeneration;
  return gen === undefined || (seen !== undefined && seen >= gen);
}

export async function waitLandscapeReady(o: {
  client: Pick<KubeClient, "get">;
  namespace: string;
  name: string;
  timeoutMs: number;
  intervalMs?: number;
  signal: AbortSignal;
  onProgress: (p: LandscapeProgress) => void;
}): Promise<LandscapeOutcome> {
  return await waitFor<LandscapeOutcome>(
    async () => {
      const raw = await o.client.get(LANDSCAPE_API_VERSION, LANDSCAPE_KIND, o.name, o.namespace);
      if (raw === undefined) return { done: false, observation: "the Landscape does not exist" };
      const parsed = parseLandscape(raw);
      if (!parsed.ok) return { done: false, observation: parsed.problems.join("; ") };
      const l = parsed.value;
      for (const c of l.status?.components ?? [])
        o.onProgress({ component: c.name, state: c.state, message: c.message ?? c.reason ?? "" });
      const ready = condition(l, "Ready");
      const stalled = condition(l, "Stalled");
      if (ready?.status === "True" && current(l, ready))
        return { done: true, value: { ready: true, landscape: l } };
      if (stalled?.status === "True" && current(l, stalled))
        return { done: true, value: { ready: false, stalled, landscape: l } };
      const why =
        ready === undefined
          ? "no status yet: is the operator running?"
          : `${ready.reason}: ${ready.message}`.replace(/: $/, "");
      o.onProgress({
        component: "landscape",
        state: ready?.status === "True" ? "ready" : "reconciling",
        message: why,
      });
      return { done: false, observation: why };
    },
    {
      what: `Landscape ${o.namespace}/${o.name} to become Ready`,
      timeoutMs: o.timeoutMs,
      intervalMs: o.intervalMs ?? 2000,
      signal: o.signal,
    },
  );
}
