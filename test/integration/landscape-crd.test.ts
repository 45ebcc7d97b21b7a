/**
 * The Landscape CRD against the real apiserver: it is accepted as a structural schema, rejects a
 * bad spec with the field named, defaults spec.suspend, and `kubectl get landscapes` prints the
 * columns of docs/landscape.md from the status.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { LANDSCAPE_API_VERSION, LANDSCAPE_CRD_NAME, parseLandscape } from "../../src/api/landscape.js";
import type { KubeObject } from "../../src/kube/client.js";
import { waitFor } from "../../src/util/wait.js";
import { baseClient, testEnv, uniqueName } from "../support/env.js";

const run = promisify(execFile);
const client = baseClient();
const ns = uniqueName("crd");

beforeAll(async () => {
  const crd = parse(
    readFileSync(
      new URL("../../charts/23ke-operator/crds/landscapes.23ke.cloud.yaml", import.meta.url),
      "utf8",
    ),
  ) as KubeObject;
  await client.apply(crd, "23ke-test");
  await waitFor(
    async () => {
      const c = await client.get<
        KubeObject & { status?: { conditions?: { type: string; status: string }[] } }
      >("apiextensions.k8s.io/v1", "CustomResourceDefinition", LANDSCAPE_CRD_NAME);
      const ok = c?.status?.conditions?.some((x) => x.type === "Established" && x.status === "True") ?? false;
      return ok ? { done: true, value: 0 } : { done: false };
    },
    { what: "the Landscape CRD to be established", timeoutMs: 30_000, intervalMs: 200 },
  );
  client.forgetDiscovery();
  await client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, "23ke-test");
}, 60_000);

describe("the Landscape CRD", () => {
  it("stores a Landscape, defaults suspend, and parses back", async () => {
    const stored = await client.apply(
      {
        apiVersion: LANDSCAPE_API_VERSION,
        kind: "Landscape",
        metadata: { name: "garden", namespace: ns },
        spec: {
          catalog: "1.86",
          components: { dashboard: { suspend: true } },
          config: { secretRefs: [{ name: "23ke-config" }] },
          repository: { url: "https://git.example/l.git", interval: "30s" },
        },
      },
      "23ke-test",
    );
    const r = parseLandscape(stored);
    expect(r.ok && r.value.spec.suspend).toBe(false);
    expect(r.ok && r.value.spec.components?.["dashboard"]?.suspend).toBe(true);
  });

  it("rejects a bad spec naming the field", async () => {
    const bad = client.apply(
      {
        apiVersion: LANDSCAPE_API_VERSION,
        kind: "Landscape",
        metadata: { name: "bad", namespace: ns },
        spec: { repository: { url: "u", interval: "one minute" } },
      },
      "23ke-test",
    );
    await expect(bad).rejects.toThrow(/spec\.repository\.interval/);
  });

  it("prints catalog, ready, reason, revision and suspended from the status", async () => {
    await client.patchStatus(
      { apiVersion: LANDSCAPE_API_VERSION, kind: "Landscape", metadata: { name: "garden", namespace: ns } },
      {
        observedGeneration: 1,
        conditions: [
          {
            type: "Ready",
            status: "True",
            reason: "Succeeded",
            message: "3 component(s) ready",
            lastTransitionTime: new Date().toISOString(),
          },
        ],
        lastApplied: {
          catalog: "1.86",
          commit: "0123456789abcdef",
          configDigest: "sha256:x",
          time: new Date().toISOString(),
        },
        revision: "0123456789ab",
      },
    );
    const { stdout } = await run("kubectl", [
      "--kubeconfig",
      testEnv().base.kubeconfig,
      "get",
      "ls",
      "-n",
      ns,
    ]);
    const [head, row] = stdout.trim().split("\n");
    expect(head?.split(/\s+/)).toEqual([
      "NAME",
      "CATALOG",
      "READY",
      "REASON",
      "REVISION",
      "SUSPENDED",
      "AGE",
    ]);
    expect(row?.split(/\s+/).slice(0, 6)).toEqual([
      "garden",
      "1.86",
      "True",
      "Succeeded",
      "0123456789ab",
      "false",
    ]);
  });
});
