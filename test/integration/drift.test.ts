/**
 * Drift of changed fields (issue 11, ADR 0010) against a real environment of its own: objects of
 * an installed, unchanged release edited by hand (a Deployment scaled, a ConfigMap edited, a label
 * removed, a Secret's data changed) are set back on the next pass without helm, recorded in the
 * component's status record and reported as an Event about the object; `detect` reports without
 * correcting, an ignored path is neither; a pass without drift runs no helm and writes no object
 * of a release.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import type { KubeClient, KubeObject } from "../../src/kube/client.js";
import { StatusStore } from "../../src/reconcile/status-store.js";
import { Reason } from "../../src/status/reasons.js";
import { parseValuesDocument } from "../../src/values/values-document.js";
import { projectRoot } from "../../tools/devenv/src/environment.js";
import { localPass, type LocalPassResult } from "../../tools/devenv/src/local-landscape.js";
import { startLandscapeEnv, type LandscapeEnv } from "../support/landscape-env.js";

const NS = "23ke-system";
let landscape: LandscapeEnv;
let client: KubeClient;

interface Event extends KubeObject {
  type: string;
  reason: string;
  message: string;
  involvedObject: { kind: string; name: string; namespace?: string; uid?: string };
}

async function pass(drift?: Record<string, unknown>): Promise<LocalPassResult> {
  const file = path.join(projectRoot, "examples", "23ke-config-minimal.yaml");
  const r = parseValuesDocument(readFileSync(file, "utf8"), { source: file });
  if (!r.ok) throw new Error("example config does not parse");
  const layers = [{ name: "23ke-config", document: r.document }];
  if (drift !== undefined) {
    const d = parseValuesDocument(stringify({ drift }), { source: "drift" });
    if (!d.ok) throw new Error("drift layer does not parse");
    layers.unshift({ name: "23ke-config-0", document: d.document });
  }
  return await localPass({
    env: landscape.env,
    catalog: loadCatalog("1.86"),
    configLayers: layers,
    values: new Map<string, Record<string, unknown>>([
      ["gardenlet-values", { config: { seedConfig: { metadata: { name: "initial-seed" } } } }],
      ["extensions-values", { "provider-aws": { enabled: true } }],
    ]),
    cacheDir: path.join(landscape.scratch, "cache"),
    systemNamespace: NS,
  });
}

/** A change by hand, as kubectl edit/scale/label would make it (a JSON merge patch). */
async function edit(apiVersion: string, kind: string, name: string, patch: unknown): Promise<void> {
  const p = await client.path(apiVersion, kind, "garden", name);
  const r = await client.request("PATCH", p, JSON.stringify(patch), "application/merge-patch+json");
  expect(r.status, r.body).toBe(200);
}

/** What the tests read of an object. */
interface Obj extends KubeObject {
  metadata: KubeObject["metadata"] & { labels: Record<string, string> };
  spec: { replicas: number };
  data: Record<string, string>;
}

async function get(kind: string, name: string): Promise<Obj> {
  const apiVersion = kind === "Deployment" ? "apps/v1" : "v1";
  const o = await client.get(apiVersion, kind, name, "garden");
  if (o === undefined) throw new Error(`${kind} ${name} missing`);
  return o as Obj;
}

const outcome = (r: LocalPassResult, name: string) => r.result.components.find((c) => c.name === name);

async function driftEvents(): Promise<Event[]> {
  return (await client.list<Event>("v1", "Event", "garden")).filter((e) => e.reason.startsWith("Drift"));
}

beforeAll(async () => {
  landscape = await startLandscapeEnv("drift", { nodes: 2 });
  client = landscape.env.base.client;
  const first = await pass();
  expect(first.result.ok, JSON.stringify(first.result.components.filter((c) => c.state !== "ready"))).toBe(
    true,
  );
}, 240_000);

afterAll(async () => {
  await landscape.stop();
});

describe("drift of changed fields", () => {
  it("sets back, once, the labels that later releases' --create-namespace took from a Namespace", async () => {
    // Every helm release applies under the field manager `helm`; a release installed into the
    // virtual garden's namespace garden applies that Namespace with only the label `name`, which
    // drops the labels gardener-application's manifest gives it.
    const { result, helmCalls } = await pass();
    expect(result.ok).toBe(true);
    expect(helmCalls).toEqual([]);
    const drifted = result.components.filter((c) => c.reason === Reason.DriftCorrected);
    expect(drifted.map((c) => c.name)).toEqual(["gardener-application"]);
    expect(drifted[0]?.message).toMatch(/^drift corrected: Namespace garden \/metadata\/labels\/app, /);
    const ns = await landscape.env.virtual?.client.get("v1", "Namespace", "garden");
    expect(ns?.metadata.labels).toMatchObject({ app: "gardener", name: "garden" });
  });

  it("a pass without drift finds none, runs no helm and writes no object of a release", async () => {
    const before = await get("Deployment", "identity");
    const cm = await get("ConfigMap", "identity-configmap");
    const { result, helmCalls } = await pass();
    expect(result.ok).toBe(true);
    expect(helmCalls).toEqual([]);
    const reasons = result.components.filter((c) => c.name !== "configuration").map((c) => c.reason);
    expect(
      new Set(reasons),
      JSON.stringify(result.components.filter((c) => c.reason !== Reason.Unchanged)),
    ).toEqual(new Set([Reason.Unchanged]));
    expect((await get("Deployment", "identity")).metadata.resourceVersion).toBe(
      before.metadata.resourceVersion,
    );
    expect((await get("ConfigMap", "identity-configmap")).metadata.resourceVersion).toBe(
      cm.metadata.resourceVersion,
    );
    expect(await driftEvents()).toEqual([]);
  });

  it("sets a Deployment scaled by hand back, records the drift and writes an Event about it", async () => {
    const replicas = (await get("Deployment", "identity")).spec.replicas;
    await edit("apps/v1", "Deployment", "identity", { spec: { replicas: replicas + 3 } });
    const r = await pass();
    expect(r.result.ok).toBe(true);
    expect(r.helmCalls).toEqual([]);
    expect(outcome(r, "identity")).toMatchObject({
      state: "unchanged",
      reason: Reason.DriftCorrected,
      message: "drift corrected: Deployment garden/identity /spec/replicas",
    });
    expect((await get("Deployment", "identity")).spec.replicas).toBe(replicas);
    const rec = (await new StatusStore(client, NS).readAll()).get("identity");
    expect(rec?.drift).toMatchObject({
      corrected: true,
      objects: [{ kind: "Deployment", name: "identity", namespace: "garden", paths: ["/spec/replicas"] }],
    });
    const ev = (await driftEvents()).find((e) => e.involvedObject.name === "identity");
    expect(ev).toMatchObject({
      type: "Normal",
      reason: Reason.DriftCorrected,
      involvedObject: { kind: "Deployment", name: "identity", namespace: "garden" },
    });
    expect(ev?.message).toContain("/spec/replicas");
    expect(ev?.involvedObject.uid).toBeDefined();

    // The next pass finds nothing: the record's drift is gone again.
    const again = await pass();
    expect(outcome(again, "identity")?.reason).toBe(Reason.Unchanged);
    expect((await new StatusStore(client, NS).readAll()).get("identity")?.drift).toBeUndefined();
  });

  it("sets an edited ConfigMap and a removed label back, naming no value", async () => {
    const cm = await get("ConfigMap", "identity-configmap");
    const config = cm.data["config.yaml"];
    await edit("v1", "ConfigMap", "identity-configmap", { data: { "config.yaml": "issuer: https://evil" } });
    await edit("apps/v1", "Deployment", "identity", { metadata: { labels: { "23ke.io/stand-in": null } } });

    const r = await pass();
    expect(r.helmCalls).toEqual([]);
    const o = outcome(r, "identity");
    expect(o?.reason).toBe(Reason.DriftCorrected);
    expect(o?.message).toContain("ConfigMap garden/identity-configmap /data/config.yaml");
    expect(o?.message).toContain("Deployment garden/identity /metadata/labels/23ke.io~1stand-in");
    expect((await get("ConfigMap", "identity-configmap")).data["config.yaml"]).toBe(config);
    expect((await get("Deployment", "identity")).metadata.labels["23ke.io/stand-in"]).toBe("true");
    expect(JSON.stringify(o)).not.toContain("evil");
  });

  it("sets a changed key of a release's Secret back, naming the key and never a value", async () => {
    // A Secret some release of the garden namespace renders (Helm annotates what it owns).
    const secrets = await client.list<Obj>("v1", "Secret", "garden");
    const s = secrets.find(
      (x) =>
        x.metadata.annotations?.["meta.helm.sh/release-name"]?.startsWith("garden-") === true &&
        Object.keys(x.data ?? {}).length > 0,
    );
    expect(s, "a Secret rendered by a release in namespace garden").toBeDefined();
    if (s === undefined) return;
    const component = (s.metadata.annotations?.["meta.helm.sh/release-name"] ?? "").slice("garden-".length);
    const key = Object.keys(s.data)[0] ?? "";
    const marker = "not-the-real-value";
    await edit("v1", "Secret", s.metadata.name, { data: { [key]: Buffer.from(marker).toString("base64") } });

    const r = await pass();
    expect(r.helmCalls).toEqual([]);
    const o = outcome(r, component);
    expect(o?.reason).toBe(Reason.DriftCorrected);
    expect(o?.message).toBe(
      `drift corrected: Secret garden/${s.metadata.name} /data/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`,
    );
    expect((await get("Secret", s.metadata.name)).data[key]).toBe(s.data[key]);
    const everything = JSON.stringify([
      r.result,
      await driftEvents(),
      [...(await new StatusStore(client, NS).readAll()).values()],
    ]);
    expect(everything).not.toContain(marker);
    expect(everything).not.toContain(Buffer.from(marker).toString("base64"));
    expect(everything).not.toContain(s.data[key]);
  });

  it("mode detect reports the drift, with one Warning Event, and leaves it", async () => {
    const replicas = (await get("Deployment", "identity")).spec.replicas;
    await edit("apps/v1", "Deployment", "identity", { spec: { replicas: replicas + 1 } });
    const detect = { components: { identity: { mode: "detect" } } };
    const r = await pass(detect);
    expect(r.helmCalls).toEqual([]);
    expect(outcome(r, "identity")).toMatchObject({
      state: "unchanged",
      reason: Reason.DriftDetected,
      message: "drift detected (mode detect): Deployment garden/identity /spec/replicas",
    });
    expect((await get("Deployment", "identity")).spec.replicas).toBe(replicas + 1);
    const warnings = (): Promise<Event[]> =>
      driftEvents().then((l) => l.filter((e) => e.reason === Reason.DriftDetected));
    expect(await warnings()).toHaveLength(1);
    expect((await warnings())[0]).toMatchObject({ type: "Warning" });
    // Found again, the same: no second Event.
    await pass(detect);
    expect(await warnings()).toHaveLength(1);
    // Back to the default: corrected.
    const c = await pass();
    expect(outcome(c, "identity")?.reason).toBe(Reason.DriftCorrected);
    expect((await get("Deployment", "identity")).spec.replicas).toBe(replicas);
  });

  it("an ignored path is neither reported nor corrected, and a correction keeps it", async () => {
    const replicas = (await get("Deployment", "identity")).spec.replicas;
    await edit("apps/v1", "Deployment", "identity", { spec: { replicas: replicas + 2 } });
    const ignore = { components: { identity: { ignore: ["Deployment/identity:/spec/replicas"] } } };
    const r = await pass(ignore);
    expect(outcome(r, "identity")?.reason).toBe(Reason.Unchanged);
    expect((await get("Deployment", "identity")).spec.replicas).toBe(replicas + 2);
    // Another field of the same object drifts: corrected, the ignored one kept.
    await edit("apps/v1", "Deployment", "identity", { metadata: { labels: { "23ke.io/stand-in": "no" } } });
    const c = await pass(ignore);
    expect(outcome(c, "identity")?.message).toBe(
      "drift corrected: Deployment garden/identity /metadata/labels/23ke.io~1stand-in",
    );
    const live = await get("Deployment", "identity");
    expect(live.spec.replicas).toBe(replicas + 2);
    expect(live.metadata.labels["23ke.io/stand-in"]).toBe("true");
    // Mode ignore: no look at all.
    await edit("apps/v1", "Deployment", "identity", { metadata: { labels: { "23ke.io/stand-in": "no" } } });
    const i = await pass({ components: { identity: { mode: "ignore" } } });
    expect(outcome(i, "identity")?.reason).toBe(Reason.Unchanged);
    expect((await get("Deployment", "identity")).metadata.labels["23ke.io/stand-in"]).toBe("no");
    const back = await pass();
    expect(outcome(back, "identity")?.reason).toBe(Reason.DriftCorrected);
    expect((await get("Deployment", "identity")).spec.replicas).toBe(replicas);
  });
});
