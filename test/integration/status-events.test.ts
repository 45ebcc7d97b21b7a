/**
 * The status of a pass as a user reads it from the cluster: conditions of the landscape and its
 * stages in the status ConfigMap, and an Event per component whose state changed (none for an
 * unchanged pass), against a real environment of its own.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import type { KubeObject } from "../../src/kube/client.js";
import { SUMMARY_KEY, STATUS_CONFIGMAP } from "../../src/status/component-state.js";
import type { StatusSummary } from "../../src/status/conditions.js";
import { Reason } from "../../src/status/reasons.js";
import { parseValuesDocument } from "../../src/values/values-document.js";
import { projectRoot } from "../../tools/devenv/src/environment.js";
import { localPass, type LocalPassResult } from "../../tools/devenv/src/local-landscape.js";
import { startLandscapeEnv, type LandscapeEnv } from "../support/landscape-env.js";

const NS = "23ke-system";
let landscape: LandscapeEnv;

interface Event extends KubeObject {
  type: string;
  reason: string;
  message: string;
  involvedObject: { kind: string; name: string; namespace: string; uid?: string };
  source: { component: string };
}

async function pass(
  extra: Record<string, Record<string, unknown>> = {},
  healthTimeoutMs?: number,
): Promise<LocalPassResult> {
  const file = path.join(projectRoot, "examples", "23ke-config-minimal.yaml");
  const r = parseValuesDocument(readFileSync(file, "utf8"), { source: file });
  if (!r.ok) throw new Error("example config does not parse");
  return await localPass({
    env: landscape.env,
    catalog: loadCatalog("1.86"),
    configLayers: [{ name: "23ke-config", document: r.document }],
    values: new Map<string, Record<string, unknown>>([
      ["gardenlet-values", { config: { seedConfig: { metadata: { name: "initial-seed" } } } }],
      ["extensions-values", { "provider-aws": { enabled: true } }],
      ...Object.entries(extra),
    ]),
    cacheDir: path.join(landscape.scratch, "cache"),
    systemNamespace: NS,
    ...(healthTimeoutMs === undefined ? {} : { healthTimeoutMs }),
  });
}

async function events(): Promise<Event[]> {
  return await landscape.env.base.client.list<Event>("v1", "Event", NS);
}

async function summary(): Promise<StatusSummary> {
  const cm = await landscape.env.base.client.get<KubeObject & { data?: Record<string, string> }>(
    "v1",
    "ConfigMap",
    STATUS_CONFIGMAP,
    NS,
  );
  return parse(cm?.data?.[SUMMARY_KEY] ?? "") as StatusSummary;
}

const condition = (cs: { type: string }[] | undefined, type: string): unknown =>
  cs?.find((c) => c.type === type);

beforeAll(async () => {
  landscape = await startLandscapeEnv("status", { nodes: 2 });
}, 120_000);

afterAll(async () => {
  await landscape.stop();
});

describe("status conditions and events", () => {
  it("records landscape and stage conditions and an Event per component on the first pass", async () => {
    const { result } = await pass();
    expect(result.ok, JSON.stringify(result.components.filter((c) => c.state !== "ready"))).toBe(true);
    expect(result.statusErrors).toEqual([]);

    const s = await summary();
    expect(condition(s.landscape.conditions, "Ready")).toMatchObject({
      status: "True",
      reason: Reason.Succeeded,
    });
    expect(condition(s.landscape.conditions, "Stalled")).toMatchObject({ status: "False" });
    for (const stage of ["configuration", "pre-gardener", "gardener"])
      expect(condition(s.stages[stage]?.conditions, "Ready"), stage).toMatchObject({ status: "True" });
    expect(condition(s.components.etcd?.conditions, "Ready")).toMatchObject({
      status: "True",
      reason: Reason.Applied,
    });

    const list = await events();
    const etcd = list.find((e) => e.message.startsWith("etcd: "));
    expect(etcd).toMatchObject({
      type: "Normal",
      reason: Reason.Applied,
      source: { component: "23ke" },
      involvedObject: { kind: "ConfigMap", name: STATUS_CONFIGMAP, namespace: NS },
    });
    expect(etcd?.involvedObject.uid).toBeDefined();
    expect(list.filter((e) => e.source.component === "23ke")).toHaveLength(result.components.length);
  });

  it("writes no Event for an unchanged pass and keeps the transition times", async () => {
    const before = await events();
    const s1 = await summary();
    const { result } = await pass();
    expect(result.ok).toBe(true);
    expect((await events()).length).toBe(before.length);
    const s2 = await summary();
    expect(condition(s2.landscape.conditions, "Ready")).toEqual(condition(s1.landscape.conditions, "Ready"));
    expect(s2.observedAt).not.toBe(s1.observedAt);
  });

  it("a failing component is Stalled with its reason, its dependents Reconciling, each with a Warning Event", async () => {
    const seen = new Set((await events()).map((e) => e.metadata.name));
    const { result } = await pass(
      { "identity-values": { resources: { requests: { cpu: "100000" }, limits: { cpu: "100000" } } } },
      8_000,
    );
    expect(result.ok).toBe(false);
    const fresh = (await events()).filter((e) => !seen.has(e.metadata.name));
    expect(fresh.find((e) => e.message.startsWith("identity: "))).toMatchObject({
      type: "Warning",
      reason: Reason.HealthCheckTimeout,
    });
    expect(fresh.find((e) => e.message.startsWith("kube-apiserver: "))).toMatchObject({
      type: "Warning",
      reason: Reason.DependencyNotReady,
    });
    // Unaffected components changed nothing, so they have no new Event.
    expect(fresh.find((e) => e.message.startsWith("etcd: "))).toBeUndefined();

    const s = await summary();
    expect(condition(s.components.identity?.conditions, "Stalled")).toMatchObject({
      status: "True",
      reason: Reason.HealthCheckTimeout,
    });
    expect(condition(s.components["kube-apiserver"]?.conditions, "Reconciling")).toMatchObject({
      status: "True",
      reason: Reason.DependencyNotReady,
    });
    expect(condition(s.stages.gardener?.conditions, "Ready")).toMatchObject({
      status: "False",
      reason: Reason.HealthCheckTimeout,
    });
    expect(condition(s.stages["pre-gardener"]?.conditions, "Ready")).toMatchObject({ status: "True" });
    expect(condition(s.landscape.conditions, "Stalled")).toMatchObject({ status: "True" });
  });
});
