/**
 * Upgrading an operator-flavour landscape along the catalogs, in the local environment (the fake
 * gardener-operator reports the version of the operator chart it runs, from its Deployment's
 * image): 1.149 → 1.150 → 1.151 with apply, each step choosing the catalog as `--catalog` does;
 * a skipped minor (1.149 → 1.151) and a downgrade are refused before anything is touched, with the
 * path to take.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TerminalError } from "../../src/errors/errors.js";
import type { KubeObject } from "../../src/kube/client.js";
import { StatusStore } from "../../src/reconcile/status-store.js";
import { parseValuesDocument } from "../../src/values/values-document.js";
import { projectRoot } from "../../tools/devenv/src/environment.js";
import { localPass, type LocalPassResult } from "../../tools/devenv/src/local-landscape.js";
import { startLandscapeEnv, type LandscapeEnv } from "../support/landscape-env.js";

const NS = "23ke-system";
let landscape: LandscapeEnv;

async function apply(catalog: string): Promise<LocalPassResult> {
  const file = path.join(projectRoot, "examples", "23ke-config-minimal.yaml");
  const r = parseValuesDocument(readFileSync(file, "utf8"), { source: file });
  if (!r.ok) throw new Error("example config does not parse");
  return await localPass({
    env: landscape.env,
    catalog: { name: catalog },
    configLayers: [{ name: "23ke-config", document: r.document }],
    values: new Map<string, Record<string, unknown>>([
      // The local environment serves no ManagedResource kind (no gardener-resource-manager).
      ["garden-values", { virtualGardenAccess: { managedResource: false } }],
    ]),
    cacheDir: path.join(landscape.scratch, "cache"),
    systemNamespace: NS,
    healthTimeoutMs: 90_000,
  });
}

async function refusal(catalog: string): Promise<Error> {
  try {
    await apply(catalog);
  } catch (e) {
    return e as Error;
  }
  throw new Error(`catalog ${catalog} was applied`);
}

type Deployment = KubeObject & { spec?: { template?: { spec?: { containers?: { image?: string }[] } } } };
type Garden = KubeObject & { status?: { gardener?: { version?: string } } };
type Gardenlet = KubeObject & {
  spec?: { deployment?: { helm?: { ociRepository?: { ref?: string } } } };
};

/** What runs after an apply: the operator's image, the version its Garden reports, the gardenlet chart. */
async function running(): Promise<{ operator: string; garden: string; gardenlet: string }> {
  const base = landscape.env.base.client;
  const virtual = landscape.env.virtual?.client;
  if (virtual === undefined) throw new Error("no virtual garden");
  const deployment = await base.get<Deployment>("apps/v1", "Deployment", "gardener-operator", "garden");
  const operator = deployment?.spec?.template?.spec?.containers?.[0]?.image ?? "";
  const tag = operator.slice(operator.lastIndexOf(":") + 1);
  // No waiting here: the apply was done only once the new operator had reconciled the Garden
  // (the garden component waits for the version the catalog names).
  const [g] = await base.list<Garden>("operator.gardener.cloud/v1alpha1", "Garden");
  const garden = g?.status?.gardener?.version ?? "";
  const [gardenlet] = await virtual.list<Gardenlet>(
    "seedmanagement.gardener.cloud/v1alpha1",
    "Gardenlet",
    "garden",
  );
  return { operator: tag, garden, gardenlet: gardenlet?.spec?.deployment?.helm?.ociRepository?.ref ?? "" };
}

function expectReady(r: LocalPassResult): void {
  const bad = r.result.components.filter((c) => c.state !== "ready" && c.state !== "unchanged");
  expect(bad.map((c) => `${c.name}: ${c.message}`)).toEqual([]);
  expect(r.result.ok).toBe(true);
}

beforeAll(async () => {
  landscape = await startLandscapeEnv("operator-upgrade", { nodes: 1 });
}, 120_000);

afterAll(async () => {
  await landscape?.stop();
});

describe("upgrading the operator flavour along the catalogs", () => {
  it("goes 1.149 → 1.150 → 1.151 one minor at a time and refuses a skipped minor or a downgrade", async () => {
    const store = new StatusStore(landscape.env.base.client, NS);

    expectReady(await apply("1.149"));
    expect(await running()).toEqual({
      operator: "v1.149.3",
      garden: "v1.149.3",
      gardenlet: expect.stringMatching(/\/gardenlet:v1\.149\.3$/) as string,
    });

    const skip = await refusal("1.151");
    expect(skip).toBeInstanceOf(TerminalError);
    expect(skip.message).toContain("Gardener v1.149.3 is installed; catalog 1.151 has v1.151.1");
    expect(skip.message).toContain("upgrade one minor at a time: 1.150 → 1.151");
    expect(await store.readCatalog()).toBe("1.149");

    expectReady(await apply("1.150"));
    expect(await running()).toEqual({
      operator: "v1.150.0",
      garden: "v1.150.0",
      gardenlet: expect.stringMatching(/\/gardenlet:v1\.150\.0$/) as string,
    });
    expect(await store.readCatalog()).toBe("1.150");

    expectReady(await apply("1.151"));
    expect(await running()).toEqual({
      operator: "v1.151.1",
      garden: "v1.151.1",
      gardenlet: expect.stringMatching(/\/gardenlet:v1\.151\.1$/) as string,
    });
    expect(await store.readCatalog()).toBe("1.151");

    const down = await refusal("1.150");
    expect(down).toBeInstanceOf(TerminalError);
    expect(down.message).toContain("downgrading Gardener is not supported");
    expect(await store.readCatalog()).toBe("1.151");
  });
});
