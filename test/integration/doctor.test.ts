/**
 * `23ke doctor` against a real kube-apiserver of its own (the shared one carries other tests'
 * objects): on a bare cluster it finds no StorageClass and no VPA CRDs, and a virtual garden that
 * answers when its kubeconfig is named; a default StorageClass then passes; a helm install killed
 * while it waits leaves a release pending-install, which doctor reports; a DNSProvider its
 * controller rejected is reported with the controller's message; an identity without RBAC is told
 * what it may not do. The built binary prints the findings as JSON and exits with the worst one
 * (0 ok/info, 1 warning, 4 error).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { Finding } from "../../src/doctor/findings.js";
import type { KubeClient, KubeObject } from "../../src/kube/client.js";
import { Landscape, type LandscapeSettings } from "../../src/landscape/landscape.js";
import type { DoctorReport } from "../../src/landscape/doctor.js";
import { waitFor } from "../../src/util/wait.js";
import { projectRoot, startEnvironment, type Environment } from "../../tools/devenv/src/environment.js";
import { testEnv } from "../support/env.js";
import { runCli, type CliRun } from "../support/run-cli.js";

const NS = "23ke-system";
let dir: string;
let env: Environment;
let client: KubeClient;

function settings(
  catalog: string,
  kubeconfig = env.base.kubeconfigPath,
  virtual?: string,
): LandscapeSettings {
  return {
    base: { kubeconfig },
    ...(virtual === undefined ? {} : { virtualKubeconfig: virtual }),
    systemNamespace: NS,
    catalog: { name: catalog },
    config: { secrets: true },
    charts: { cacheDir: path.join(dir, "cache"), builtinChartsDir: path.join(projectRoot, "charts") },
    helm: { binary: env.helm, env: env.helmEnv },
  };
}

async function doctor(catalog: string, kubeconfig?: string, virtual?: string): Promise<DoctorReport> {
  const l = Landscape.open(settings(catalog, kubeconfig, virtual), env.helmEnv);
  try {
    return await l.doctor();
  } finally {
    l.close();
  }
}

function of(r: DoctorReport, check: string): Finding[] {
  return r.findings.filter((f) => f.check === check);
}

function cli(args: string[]): Promise<CliRun> {
  return runCli(args, env.helmEnv);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "23ke-doctor-"));
  env = await startEnvironment({ dir, binDir: testEnv().binDir, nodes: 0 });
  client = env.base.client;
}, 60_000);

afterAll(async () => {
  await env.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("23ke doctor", () => {
  it("on a bare cluster: no StorageClass, no VPA CRDs, nothing applied; the Kubernetes version against the catalog", async () => {
    const r = await doctor("1.149");
    expect(r.catalog).toMatchObject({ version: "1.149", flavour: "operator" });
    expect(of(r, "kubernetes-api")).toEqual([
      expect.objectContaining({ severity: "ok", message: expect.stringMatching(/as admin/) as unknown }),
    ]);
    expect(of(r, "kubernetes-version")).toEqual([
      expect.objectContaining({
        severity: "ok",
        message: expect.stringMatching(/v1\.36\.3 is within 1\.32 to 1\.36/) as unknown,
      }),
    ]);
    expect(of(r, "storage-class")).toEqual([
      expect.objectContaining({
        severity: "error",
        message: expect.stringMatching(/^no StorageClass/) as unknown,
      }),
    ]);
    expect(of(r, "vpa")).toEqual([
      expect.objectContaining({
        severity: "info",
        message: expect.stringMatching(/^no VPA CRDs/) as unknown,
      }),
    ]);
    expect(of(r, "rbac")[0]?.severity).toBe("ok");
    expect(of(r, "helm")[0]).toMatchObject({
      severity: "ok",
      message: expect.stringMatching(/^helm v4\./) as unknown,
    });
    expect(of(r, "config")[0]).toMatchObject({
      severity: "info",
      message: expect.stringMatching(/no 23ke-config/) as unknown,
    });
    expect(of(r, "components")[0]).toMatchObject({
      severity: "info",
      message: expect.stringMatching(/nothing applied yet/) as unknown,
    });
    expect(of(r, "virtual-garden")[0]).toMatchObject({ severity: "info" });
    expect(of(r, "dnsprovider")[0]).toMatchObject({
      severity: "info",
      message: expect.stringMatching(/not served yet/) as unknown,
    });
    expect(of(r, "load-balancer")[0]).toMatchObject({ severity: "info" });
    expect(of(r, "helm-releases")[0]).toMatchObject({
      severity: "ok",
      message: "no Helm releases in the base cluster",
    });
    expect(r.worst).toBe("error");

    // With the virtual garden's kubeconfig named, doctor asks it whether it answers.
    const withVirtual = await doctor("1.149", undefined, env.virtual?.kubeconfigPath);
    expect(of(withVirtual, "virtual-garden")).toEqual([
      expect.objectContaining({
        severity: "ok",
        message: `the virtual garden answers (kubeconfig from ${env.virtual?.kubeconfigPath ?? ""})`,
      }),
    ]);

    // Gardener v1.86 does not run on Kubernetes 1.36.
    const old = await doctor("1.86");
    expect(of(old, "kubernetes-version")).toEqual([
      expect.objectContaining({
        severity: "error",
        message: expect.stringMatching(
          /newer than Gardener v1\.86\.0 \(catalog 1\.86\) supports \(1\.24 to 1\.28\)/,
        ) as unknown,
      }),
    ]);
  });

  it("a default StorageClass passes; a helm install killed mid-wait is left pending-install and reported", async () => {
    await client.apply(
      {
        apiVersion: "storage.k8s.io/v1",
        kind: "StorageClass",
        metadata: {
          name: "standard",
          annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
        },
        provisioner: "example.com/none",
      },
      "doctor-test",
    );
    // No nodes: the Deployment never becomes available, so helm waits with the release pending.
    const helm = spawn(
      env.helm,
      [
        "install",
        "stuck",
        path.join(projectRoot, "test", "fixtures", "charts", "hello"),
        "-n",
        "doctor-test",
        "--create-namespace",
        "--wait=watcher",
        "--timeout",
        "5m",
        "--kubeconfig",
        env.base.kubeconfigPath,
      ],
      { env: env.helmEnv, stdio: "ignore" },
    );
    try {
      await waitFor(
        async () => {
          const s = await client.list(
            "v1",
            "Secret",
            "doctor-test",
            "owner=helm,name=stuck,status=pending-install",
          );
          return s.length > 0 ? { done: true, value: undefined } : { done: false };
        },
        { timeoutMs: 60_000, what: "release stuck pending-install" },
      );
    } finally {
      helm.kill("SIGKILL");
    }
    const r = await doctor("1.149");
    expect(of(r, "storage-class")).toEqual([
      expect.objectContaining({
        severity: "ok",
        message: "default StorageClass standard (provisioner example.com/none)",
      }),
    ]);
    expect(of(r, "helm-releases")).toEqual([
      expect.objectContaining({
        severity: "warning",
        message: expect.stringMatching(
          /^Helm release doctor-test\/stuck revision 1 is left pending-install since \d+ s/,
        ) as unknown,
        advice: expect.stringMatching(/not 23ke's: helm rollback -n doctor-test stuck/) as unknown,
        object: "Secret doctor-test/sh.helm.release.v1.stuck.v1",
      }),
    ]);
    expect(r.worst).toBe("warning");
  });

  it("a DNSProvider its controller rejected, with the controller's message", async () => {
    const crds = parseAllDocuments(
      readFileSync(
        path.join(
          projectRoot,
          "test/fixtures/charts/external-dns-management/charts/external-dns-management/crds/dns.gardener.cloud.yaml",
        ),
        "utf8",
      ),
    ).map((d) => d.toJS() as KubeObject);
    for (const crd of crds) await client.apply(crd, "doctor-test");
    client.forgetDiscovery();
    await client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "garden" } }, "doctor-test");
    const provider = await waitFor(
      async () => {
        try {
          return {
            done: true,
            value: await client.apply(
              {
                apiVersion: "dns.gardener.cloud/v1alpha1",
                kind: "DNSProvider",
                metadata: { name: "base-dns-provider", namespace: "garden" },
                spec: { type: "aws-route53", secretRef: { name: "dns" } },
              },
              "doctor-test",
            ),
          };
        } catch (e) {
          client.forgetDiscovery();
          return { done: false, observation: (e as Error).message };
        }
      },
      { timeoutMs: 30_000, what: "the DNSProvider kind served" },
    );
    await client.patchStatus(provider, {
      state: "Error",
      message: "InvalidClientTokenId: The security token included in the request is invalid",
      observedGeneration: provider.metadata.generation,
    });
    const r = await doctor("1.149");
    expect(of(r, "dnsprovider")).toEqual([
      expect.objectContaining({
        severity: "error",
        message:
          "DNSProvider garden/base-dns-provider reports Error: InvalidClientTokenId: The security token included in the request is invalid",
        advice: expect.stringMatching(/domains\.global\.credentials/) as unknown,
      }),
    ]);
  });

  it("an identity without RBAC is told what it may not do", async () => {
    await client.apply(
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "limited", namespace: "default" } },
      "doctor-test",
    );
    const tr = await client.request(
      "POST",
      "/api/v1/namespaces/default/serviceaccounts/limited/token",
      JSON.stringify({
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        spec: { expirationSeconds: 600 },
      }),
    );
    expect(tr.status).toBe(201);
    const token = (JSON.parse(tr.body) as { status: { token: string } }).status.token;
    const admin = readFileSync(env.base.kubeconfigPath, "utf8");
    const limited = path.join(dir, "limited.kubeconfig");
    writeFileSync(limited, admin.replace(/token: .*/, `token: ${token}`), { mode: 0o600 });

    const r = await doctor("1.149", limited);
    expect(of(r, "kubernetes-api")[0]?.message).toMatch(/as system:serviceaccount:default:limited/);
    const rbac = of(r, "rbac");
    expect(rbac).toHaveLength(1);
    expect(rbac[0]).toMatchObject({
      severity: "error",
      message: expect.stringMatching(
        /^system:serviceaccount:default:limited may not: create namespaces; create customresourcedefinitions\.apiextensions\.k8s\.io; create clusterroles\.rbac\.authorization\.k8s\.io; escalate clusterroles/,
      ) as unknown,
      advice: expect.stringMatching(
        /--clusterrole=cluster-admin --serviceaccount=default:limited/,
      ) as unknown,
    });
    // What it may not read is a warning of its own, not the end of the doctor.
    expect(of(r, "storage-class")[0]).toMatchObject({
      severity: "warning",
      message: expect.stringMatching(/could not read the StorageClasses: .*403/) as unknown,
    });
    expect(JSON.stringify(r)).not.toContain(token);
  });

  it("the built binary: --output json, exit code of the worst finding; an unreachable cluster", async () => {
    const r = await cli([
      "doctor",
      "--kubeconfig",
      env.base.kubeconfigPath,
      "--catalog",
      "1.149",
      "-o",
      "json",
    ]);
    expect(r.stderr).toBe("");
    const doc = JSON.parse(r.stdout) as DoctorReport & { exitCode: number; counts: Record<string, number> };
    // The DNSProvider rejected above is an error.
    expect(doc.worst).toBe("error");
    expect(r.code).toBe(4);
    expect(doc.exitCode).toBe(4);
    expect(doc.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ check: "storage-class", severity: "ok" }),
        expect.objectContaining({ check: "helm-releases", severity: "warning" }),
        expect.objectContaining({ check: "dnsprovider", severity: "error" }),
      ]),
    );
    expect(doc.counts.error).toBe(1);

    // Once the provider is gone, the pending release is the worst: exit 1.
    await client.delete("dns.gardener.cloud/v1alpha1", "DNSProvider", "base-dns-provider", "garden");
    const warn = await cli([
      "doctor",
      "--kubeconfig",
      env.base.kubeconfigPath,
      "--catalog",
      "1.149",
      "-o",
      "json",
    ]);
    expect(warn.code).toBe(1);
    expect((JSON.parse(warn.stdout) as DoctorReport).worst).toBe("warning");

    const table = await cli(["doctor", "--kubeconfig", env.base.kubeconfigPath, "--catalog", "1.149"]);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/^✓ storage-class +default StorageClass standard/m);
    expect(table.stdout).toMatch(/^! helm-releases +Helm release doctor-test\/stuck/m);
    expect(table.stdout).toMatch(/→ not 23ke's: helm rollback/);

    const nowhere = path.join(dir, "nowhere.kubeconfig");
    writeFileSync(
      nowhere,
      readFileSync(env.base.kubeconfigPath, "utf8").replace(/server: .*/, "server: https://127.0.0.1:1"),
      { mode: 0o600 },
    );
    const down = await cli(["doctor", "--kubeconfig", nowhere, "-o", "json"]);
    expect(down.code).toBe(4);
    const d = JSON.parse(down.stdout) as DoctorReport;
    expect(d.findings.find((f) => f.check === "kubernetes-api")).toMatchObject({
      severity: "error",
      message: expect.stringMatching(/cannot be reached: .*127\.0\.0\.1:1/) as unknown,
    });
    expect(d.findings.map((f) => f.check)).not.toContain("storage-class");
  });
});
