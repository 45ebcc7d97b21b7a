/**
 * Proves the test environment is real: objects round-trip through the apiserver, a Deployment
 * becomes Available through the controller manager, scheduler and kwok, helm installs a chart
 * from the local Helm repository, and the virtual garden is a separate apiserver.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/kube/client.js";
import { waitFor } from "../../src/util/wait.js";
import { baseClient, helmEnv, testEnv, uniqueName, virtualClient } from "../support/env.js";

const run = promisify(execFile);

describe("test environment", () => {
  it("reports the real Kubernetes version", async () => {
    const v = await baseClient().version();
    expect(v.gitVersion).toBe("v1.36.3");
    expect(v.major).toBe("1");
    expect(v.minor).toBe("36");
  });

  it("round-trips a Namespace and a Secret through the apiserver", async () => {
    const c = baseClient();
    const ns = uniqueName("rt");
    await c.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, "23ke-test");
    await c.apply(
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "s", namespace: ns },
        stringData: { key: "value-1" },
      },
      "23ke-test",
    );
    const got = await c.get<KubeObject & { data: Record<string, string> }>("v1", "Secret", "s", ns);
    expect(got).toBeDefined();
    expect(Buffer.from(got?.data.key ?? "", "base64").toString()).toBe("value-1");
    expect(await c.get("v1", "Namespace", ns)).toBeDefined();
  });

  it("makes a Deployment with 2 replicas Available on simulated nodes", async () => {
    const c = baseClient();
    const ns = uniqueName("deploy");
    await c.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, "23ke-test");
    await c.apply(
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: ns },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: "web" } },
          template: {
            metadata: { labels: { app: "web" } },
            spec: { containers: [{ name: "web", image: "registry.invalid/web:1" }] },
          },
        },
      },
      "23ke-test",
    );
    type Dep = KubeObject & {
      status?: { availableReplicas?: number; conditions?: { type: string; status: string }[] };
    };
    const dep = await waitFor(
      async () => {
        const d = await c.get<Dep>("apps/v1", "Deployment", "web", ns);
        const available =
          d?.status?.conditions?.some((x) => x.type === "Available" && x.status === "True") ?? false;
        return available && d?.status?.availableReplicas === 2 ? { done: true, value: d } : { done: false };
      },
      { what: "Deployment web available", timeoutMs: 90_000 },
    );
    expect(dep.status?.availableReplicas).toBe(2);
    const pods = await c.list<KubeObject & { spec: { nodeName?: string } }>("v1", "Pod", ns);
    expect(pods).toHaveLength(2);
    for (const p of pods) expect(p.spec.nodeName).toMatch(/^kwok-node-/);
  });

  it("installs a chart from the local Helm repository with the real helm", async () => {
    const e = testEnv();
    expect(e.helmRepository).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const scratch = mkdtempSync(path.join(os.tmpdir(), "23ke-helm-"));
    const env = { ...helmEnv(scratch), KUBECONFIG: e.base.kubeconfig };
    const ns = uniqueName("helm");
    await run(e.helm, ["repo", "add", "local", e.helmRepository ?? ""], { env });
    await run(
      e.helm,
      [
        "install",
        "hello",
        "local/hello",
        "--version",
        "0.1.0",
        "-n",
        ns,
        "--create-namespace",
        "--wait",
        "--timeout",
        "90s",
      ],
      {
        env,
      },
    );
    const { stdout } = await run(e.helm, ["list", "-n", ns, "-o", "json"], { env });
    const releases = JSON.parse(stdout) as { name: string; status: string; chart: string }[];
    expect(releases).toEqual([
      expect.objectContaining({ name: "hello", status: "deployed", chart: "hello-0.1.0" }),
    ]);
    const cm = await baseClient().get<KubeObject & { data: Record<string, string> }>(
      "v1",
      "ConfigMap",
      "hello-message",
      ns,
    );
    expect(cm?.data.message).toBe("hello");
    rmSync(scratch, { recursive: true, force: true });
  });

  it("runs the virtual garden as a second, independent apiserver", async () => {
    const base = baseClient();
    const virtual = virtualClient();
    expect(virtual.server).not.toBe(base.server);
    const ns = uniqueName("only-virtual");
    await virtual.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, "23ke-test");
    expect(await virtual.get("v1", "Namespace", ns)).toBeDefined();
    expect(await base.get("v1", "Namespace", ns)).toBeUndefined();
    // The virtual garden has no nodes: nothing is scheduled there.
    expect(await virtual.list("v1", "Node")).toHaveLength(0);
  });
});
