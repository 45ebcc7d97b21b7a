import { describe, expect, it } from "vitest";
import { loadCatalog } from "../../../src/catalog/load-catalog.js";
import { UsageError } from "../../../src/errors/errors.js";
import {
  selectComponents,
  selectionOfCatalog,
  type SelectionRequest,
} from "../../../src/reconcile/component-selection.js";
import type { ComponentRecord, ComponentStateName } from "../../../src/status/component-state.js";
import { passSummary } from "../../../src/status/conditions.js";

// cert-manager ← certificates ← etcd ← kube-apiserver ← gardener ← dashboard; identity ← kube-apiserver
const NODES = [
  { name: "cert-manager", dependsOn: [] },
  { name: "certificates", dependsOn: ["cert-manager"] },
  { name: "etcd", dependsOn: ["certificates"] },
  { name: "identity", dependsOn: [] },
  { name: "kube-apiserver", dependsOn: ["certificates", "etcd", "identity"] },
  { name: "gardener", dependsOn: ["kube-apiserver"] },
  { name: "dashboard", dependsOn: ["gardener"] },
];

function record(component: string, state: ComponentStateName, message = ""): ComponentRecord {
  return {
    component,
    stage: "gardener",
    target: "base",
    release: `garden-${component}`,
    namespace: "garden",
    chart: { repository: "r", name: component, version: "1" },
    ready: state === "ready" || state === "unchanged",
    state,
    reason: "r",
    message,
  };
}

const allReady = new Map(NODES.map((n) => [n.name, record(n.name, "ready")]));
const withState = (name: string, state: ComponentStateName, message = ""): Map<string, ComponentRecord> =>
  new Map([...allReady, [name, record(name, state, message)]]);
const without = (name: string): Map<string, ComponentRecord> =>
  new Map([...allReady].filter(([n]) => n !== name));

interface Row {
  name: string;
  records: Map<string, ComponentRecord>;
  request: SelectionRequest;
  apply: Record<string, string[]>;
  blocked?: Record<string, RegExp>;
}

const rows: Row[] = [
  {
    name: "--only one component, its dependencies Ready: only it, no task dependencies",
    records: allReady,
    request: { only: ["kube-apiserver"] },
    apply: { "kube-apiserver": [] },
  },
  {
    name: "--only two in a chain: the later waits for the earlier",
    records: allReady,
    request: { only: ["etcd", "gardener"] },
    apply: { etcd: [], gardener: ["etcd"] },
  },
  {
    name: "--only: a selected dependency reached through one not selected is still waited for",
    records: allReady,
    request: { only: ["gardener", "certificates"] },
    apply: { certificates: [], gardener: ["certificates"] },
  },
  {
    name: "--only: a failed dependency blocks, named with its state and message",
    records: withState("gardener", "failed", "helm upgrade failed: boom\nmore"),
    request: { only: ["dashboard"] },
    apply: {},
    blocked: {
      dashboard:
        /^dependency gardener is not ready \(failed: helm upgrade failed: boom\); apply it too or drop --only$/,
    },
  },
  {
    name: "--only: a dependency that is not installed blocks",
    records: without("identity"),
    request: { only: ["kube-apiserver", "cert-manager"] },
    apply: { "cert-manager": [] },
    blocked: { "kube-apiserver": /^dependency identity is not installed; apply it too or drop --only$/ },
  },
  {
    name: "--only: a transitive dependency that is not Ready blocks, with who needs it",
    records: withState("etcd", "blocked", "waiting for certificates"),
    request: { only: ["gardener"] },
    apply: {},
    blocked: {
      gardener:
        /^dependency etcd \(needed by kube-apiserver\) is not ready \(blocked: waiting for certificates\)/,
    },
  },
  {
    name: "--only: a recorded ready=false with state ready is not Ready",
    records: new Map([...allReady, ["identity", { ...record("identity", "ready"), ready: false }]]),
    request: { only: ["kube-apiserver"] },
    apply: {},
    blocked: { "kube-apiserver": /^dependency identity is not ready \(ready\)/ },
  },
  {
    name: "--only: a selected component waiting for a blocked selected one is blocked too",
    records: withState("identity", "failed"),
    request: { only: ["kube-apiserver", "dashboard"] },
    apply: {},
    blocked: {
      "kube-apiserver": /^dependency identity is not ready \(failed\)/,
      dashboard: /^waiting for kube-apiserver, which is blocked$/,
    },
  },
  {
    name: "--only: the dependency selected too is applied first, whatever its record",
    records: withState("gardener", "failed"),
    request: { only: ["dashboard", "gardener"] },
    apply: { gardener: [], dashboard: ["gardener"] },
  },
  {
    name: "--skip a Ready component: everything else, the graph otherwise intact",
    records: allReady,
    request: { skip: ["identity"] },
    apply: {
      "cert-manager": [],
      certificates: ["cert-manager"],
      etcd: ["certificates"],
      "kube-apiserver": ["certificates", "etcd"],
      gardener: ["kube-apiserver"],
      dashboard: ["gardener"],
    },
  },
  {
    name: "--skip a component that is not Ready: its dependents are blocked",
    records: withState("gardener", "failed", "x"),
    request: { skip: ["gardener"] },
    apply: {
      "cert-manager": [],
      certificates: ["cert-manager"],
      etcd: ["certificates"],
      identity: [],
      "kube-apiserver": ["certificates", "etcd", "identity"],
    },
    blocked: { dashboard: /^dependency gardener is not ready \(failed: x\); do not skip it$/ },
  },
  {
    name: "--skip: a skipped component reached through another skipped one is checked too",
    records: withState("certificates", "failed"),
    request: { skip: ["certificates", "etcd"] },
    apply: { "cert-manager": [], identity: [] },
    blocked: {
      "kube-apiserver": /^dependency certificates is not ready \(failed\); do not skip it$/,
      gardener: /^waiting for kube-apiserver, which is blocked$/,
      dashboard: /^waiting for gardener, which is blocked$/,
    },
  },
  {
    name: "--only configuration: nothing but the configuration stage",
    records: allReady,
    request: { only: ["configuration"] },
    apply: {},
  },
];

describe("selectComponents", () => {
  it.each(rows)("$name", (row) => {
    const s = selectComponents({ nodes: NODES, records: row.records, request: row.request });
    expect(Object.fromEntries(s.apply)).toEqual(row.apply);
    const blocked = Object.fromEntries(s.blocked);
    expect(Object.keys(blocked).sort()).toEqual(Object.keys(row.blocked ?? {}).sort());
    for (const [n, re] of Object.entries(row.blocked ?? {})) expect(blocked[n]).toMatch(re);
    expect(s.total).toBe(NODES.length);
    expect(s.selected).toBe(s.apply.size + s.blocked.size);
  });

  const problems: [string, SelectionRequest, RegExp][] = [
    [
      "an unknown name, with a guess and the known names",
      { only: ["etdc"] },
      /--only etdc: unknown component \(did you mean 'etcd'\?\); the components of this landscape: configuration, cert-manager, certificates, etcd,/,
    ],
    [
      "every bad name at once",
      { skip: ["nope", "configuration"] },
      /--skip nope: unknown component; --skip configuration: the configuration stage always runs;/,
    ],
    ["--only with --skip", { only: ["etcd"], skip: ["identity"] }, /--only and --skip exclude each other/],
    [
      "a component the config leaves out",
      { only: ["velero"] },
      /--only velero: the component is not part of this landscape \(the config leaves it out\)/,
    ],
  ];
  it.each(problems)("refuses %s", (_, request, re) => {
    const run = (): unknown =>
      selectComponents({ nodes: NODES, records: allReady, leftOut: ["velero"], request });
    expect(run).toThrow(UsageError);
    expect(run).toThrow(re);
  });
});

describe("selectionOfCatalog", () => {
  const catalog = loadCatalog("1.86");
  const units = [
    { name: "gardener-runtime", stage: "gardener", dependsOn: [] },
    { name: "gardener-application", stage: "gardener", dependsOn: [] },
    { name: "provider-aws", stage: "gardener", dependsOn: ["gardener-runtime", "gardener-application"] },
    { name: "admission-provider-aws-certificate", stage: "gardener", dependsOn: ["gardener-runtime"] },
    { name: "dashboard-runtime", stage: "gardener", dependsOn: ["provider-aws"] },
  ];
  const records = new Map(units.map((u) => [u.name, record(u.name, "ready")]));

  it("takes an extension's name, and 'extensions' for every enabled extension", () => {
    expect([
      ...selectionOfCatalog(catalog, units, [], records, { only: ["provider-aws"] }).apply.keys(),
    ]).toEqual(["provider-aws"]);
    expect([
      ...selectionOfCatalog(catalog, units, [], records, { only: ["extensions"] }).apply.keys(),
    ]).toEqual(["provider-aws", "admission-provider-aws-certificate"]);
    expect(() => selectionOfCatalog(catalog, units, [], records, { only: ["provider-aw"] })).toThrow(
      /did you mean 'provider-aws'/,
    );
  });

  it("names a catalog component the landscape lacks as left out, not unknown", () => {
    expect(() => selectionOfCatalog(catalog, units, [], records, { skip: ["velero"] })).toThrow(
      /--skip velero: the component is not part of this landscape/,
    );
  });

  it("selects an extra node (the garden-content manifests) by name", () => {
    const s = selectionOfCatalog(
      catalog,
      units,
      [{ name: "garden-content-manifests", dependsOn: ["gardener-runtime"] }],
      records,
      { skip: ["garden-content-manifests"] },
    );
    expect(s.apply.has("garden-content-manifests")).toBe(false);
    expect(s.total).toBe(6);
    expect(s.selected).toBe(5);
  });
});

describe("the summary of a partial pass", () => {
  const T0 = new Date("2024-01-01T00:00:00Z");
  const T1 = new Date("2024-01-01T01:00:00Z");
  const first = passSummary(
    [
      { name: "etcd", stage: "gardener", state: "ready", reason: "Applied", message: "ready" },
      {
        name: "identity",
        stage: "gardener",
        state: "failed",
        reason: "Failed",
        message: "x",
        kind: "terminal",
      },
    ],
    undefined,
    ["gardener"],
    T0,
  );
  const second = [
    { name: "etcd", stage: "gardener", state: "unchanged" as const, reason: "Unchanged", message: "" },
  ];

  it("keeps what the last summary said of the components it did not select", () => {
    const s = passSummary(second, first, ["gardener"], T1, { partial: true });
    expect(s.components.identity).toEqual(first.components.identity);
    expect(s.components.etcd?.state).toBe("unchanged");
    expect(s.landscape.conditions.find((c) => c.type === "Ready")?.status).toBe("False");
  });

  it("a full pass drops them", () => {
    expect(passSummary(second, first, ["gardener"], T1).components.identity).toBeUndefined();
  });
});
