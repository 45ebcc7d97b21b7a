/**
 * Reading the status ConfigMap back: records and the summary are validated, and a key that holds
 * no valid record is reported and read as absent, never thrown.
 */
import { describe, expect, it } from "vitest";
import type { KubeClient, KubeObject } from "../../../src/kube/client.js";
import { StatusStore, type InvalidStatusKey } from "../../../src/reconcile/status-store.js";
import type { ComponentRecord } from "../../../src/status/component-state.js";
import { passSummary } from "../../../src/status/conditions.js";

const NS = "23ke-system";

/** The status ConfigMap in memory, as the apiserver would hold it. */
function fakeBase(data: Record<string, string>): KubeClient {
  const configMap = (): KubeObject & { data: Record<string, string> } => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "23ke-status", namespace: NS, uid: "uid-1" },
    data: { ...data },
  });
  const fake = {
    get: () => Promise.resolve(configMap()),
    apply: (o: KubeObject & { data?: Record<string, string> }) => {
      Object.assign(data, o.data ?? {});
      return Promise.resolve(configMap());
    },
  };
  return fake as unknown as KubeClient;
}

const RECORD: ComponentRecord = {
  component: "etcd",
  stage: "gardener",
  target: "base",
  release: "etcd",
  namespace: "garden",
  chart: { repository: "builtin", name: "etcd", version: "1.0.0" },
  ready: true,
  state: "ready",
  reason: "Applied",
  message: "ready",
  appliedDigest: "abc",
  revision: 3,
  lastFailure: { time: "2025-01-01T00:00:00Z", reason: "InstallFailed", message: "boom" },
  objects: [{ apiVersion: "apps/v1", kind: "StatefulSet", name: "etcd", namespace: "garden" }],
};

function store(data: Record<string, string>): { store: StatusStore; invalid: InvalidStatusKey[] } {
  const invalid: InvalidStatusKey[] = [];
  return { store: new StatusStore(fakeBase(data), NS, { onInvalid: (i) => invalid.push(i) }), invalid };
}

describe("StatusStore reading records", () => {
  it("reads back what it wrote, key for key", async () => {
    const s = store({});
    await s.store.write(RECORD);
    const minimal: ComponentRecord = { ...RECORD, component: "dns" };
    for (const k of ["appliedDigest", "revision", "lastFailure", "objects"] as const) delete minimal[k];
    await s.store.write(minimal);
    const all = await s.store.readAll();
    expect(all.get("etcd")).toEqual(RECORD);
    expect(all.get("dns")).toEqual(minimal);
    expect(s.invalid).toEqual([]);
  });

  it.each([
    { name: "not JSON", value: "{etcd", problems: ["not a JSON document"] },
    { name: "JSON that is not a record", value: "[1, 2]", problems: ["expected object, received array"] },
    {
      name: "a record without a chart version",
      value: JSON.stringify({ ...RECORD, chart: { repository: "builtin", name: "etcd" } }),
      problems: ["chart.version: expected string, received undefined"],
    },
    {
      name: "a record with an unknown state and a revision that is text",
      value: JSON.stringify({ ...RECORD, state: "exploded", revision: "3" }),
      problems: [
        'state: expected one of "waiting"|"applying"|"checking health"|"ready"|"unchanged"|"failed"|"blocked"|"skipped"|"uninstalled"',
        "revision: expected number, received string",
      ],
    },
    {
      name: "a record whose objects lack a kind",
      value: JSON.stringify({ ...RECORD, objects: [{ apiVersion: "v1", name: "x" }] }),
      problems: ["objects[0].kind: expected string, received undefined"],
    },
  ])("reports $name and reads it as absent", async ({ value, problems }) => {
    const s = store({ etcd: value, dns: JSON.stringify({ ...RECORD, component: "dns" }) });
    const all = await s.store.readAll();
    expect([...all.keys()]).toEqual(["dns"]);
    expect(s.invalid).toEqual([{ object: `ConfigMap ${NS}/23ke-status key etcd`, key: "etcd", problems }]);
  });

  it("keeps reading without a listener", async () => {
    const all = await new StatusStore(fakeBase({ etcd: "{" }), NS).readAll();
    expect(all.size).toBe(0);
  });

  it("skips the summary key", async () => {
    const s = store({ "landscape.yaml": "observedAt: x\n", etcd: JSON.stringify(RECORD) });
    expect([...(await s.store.readAll()).keys()]).toEqual(["etcd"]);
    expect(s.invalid).toEqual([]);
  });
});

describe("StatusStore reading the summary", () => {
  const summary = passSummary(
    [{ name: "etcd", stage: "gardener", state: "ready", reason: "Applied", message: "ok" }],
    undefined,
    ["configuration", "pre-gardener", "gardener"],
    new Date("2025-01-01T00:00:00Z"),
  );

  it("reads back what it wrote", async () => {
    const s = store({});
    await s.store.writeSummary(summary);
    expect(await s.store.readSummary()).toEqual(summary);
    expect(s.invalid).toEqual([]);
  });

  it.each([
    { name: "YAML that does not parse", value: "landscape: [\n", problem: /^not YAML: / },
    {
      name: "a summary without stages",
      value: "observedAt: x\nlandscape: {conditions: []}\ncomponents: {}\n",
      problem: /^stages: expected record, received undefined$/,
    },
    {
      name: "a condition of an unknown type",
      value:
        "observedAt: x\nlandscape:\n  conditions:\n    - {type: Healthy, status: 'True', reason: r, message: m, lastTransitionTime: t}\nstages: {}\ncomponents: {}\n",
      problem: /^landscape\.conditions\[0\]\.type: expected one of "Ready"\|"Reconciling"\|"Stalled"$/,
    },
  ])("reports $name and reads it as absent", async ({ value, problem }) => {
    const s = store({ "landscape.yaml": value });
    expect(await s.store.readSummary()).toBeUndefined();
    expect(s.invalid).toHaveLength(1);
    expect(s.invalid[0]?.object).toBe(`ConfigMap ${NS}/23ke-status key landscape.yaml`);
    expect(s.invalid[0]?.problems[0]).toMatch(problem);
  });
});
