/**
 * Deletion protection (issue 13, item 7; ADR 0018) against the real apiserver, in a system
 * namespace of its own: after the configuration stage and the protection a pass runs, the
 * 23ke-config, the generated secrets, every base-values Secret and an injected PKI Secret carry
 * the finalizer 23ke.cloud/in-use; deleting the 23ke-config leaves it Terminating and readable, and
 * `23ke status` and `23ke doctor` name it; `23ke uninstall` takes the finalizers off (the deleted
 * config goes, the others stay). A Secret and a ConfigMap 23ke did not create survive all of it,
 * and so does a foreign Secret named like a base-values Secret.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { GENERATED_SECRETS_NAME, runConfigurationStage } from "../../src/config/index.js";
import { IN_USE_FINALIZER, protectInUse } from "../../src/config/in-use-protection.js";
import type { KubeClient, KubeObject } from "../../src/kube/client.js";
import { MINIMAL_CONFIG } from "../support/config-text.js";
import { baseClient, testEnv, uniqueName } from "../support/env.js";
import { runCli } from "../support/run-cli.js";

type Meta = KubeObject & { metadata: { finalizers?: string[]; deletionTimestamp?: string } };

const b64 = (s: string): string => Buffer.from(s).toString("base64");
const ns = uniqueName("protect");
const PKI = "gardener-ca-keypair";
let c: KubeClient;

const secret = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name, namespace: ns, labels },
  data: { "values.yaml": b64(`note: ${name}\n`) },
});

async function finalizers(name: string): Promise<string[]> {
  return (await c.get<Meta>("v1", "Secret", name, ns))?.metadata.finalizers ?? [];
}

async function foreignSurvive(): Promise<void> {
  expect(await c.get("v1", "Secret", "operator-notes", ns)).toBeDefined();
  expect(await c.get("v1", "ConfigMap", "operator-notes", ns)).toBeDefined();
  expect(await c.get("v1", "Secret", "hello-base-values", ns)).toBeDefined();
  expect(await finalizers("operator-notes")).toEqual([]);
  expect(await finalizers("hello-base-values")).toEqual([]);
}

const kube = (): string[] => ["--kubeconfig", testEnv().base.kubeconfig, "--system-namespace", ns];

beforeAll(async () => {
  c = baseClient();
  await c.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, "23ke-test");
  await c.apply({ ...secret("23ke-config"), data: { "values.yaml": b64(MINIMAL_CONFIG) } }, "23ke-test");
  // What 23ke did not create: a note of the operator's, and one named like a base-values Secret.
  await c.apply(secret("operator-notes"), "23ke-test");
  await c.apply(secret("hello-base-values", { "23ke.cloud/component": "hello" }), "23ke-test");
  await c.apply(
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "operator-notes", namespace: ns },
      data: { a: "b" },
    },
    "23ke-test",
  );
  // The CA key pair the certificates release leaves for the injections (cert-manager writes it).
  await c.apply(secret(PKI), "23ke-test");
});

describe("deletion protection", () => {
  it("a pass's configuration stage and protection put the finalizer on what the landscape depends on", async () => {
    const stage = await runConfigurationStage(c, { namespace: ns });
    const r = await protectInUse(c, ns, [PKI]);
    const expected = ["23ke-config", GENERATED_SECRETS_NAME, PKI, ...stage.written].sort();
    expect(r.protected.sort()).toEqual(expected);
    for (const name of expected) expect(await finalizers(name), name).toEqual([IN_USE_FINALIZER]);
    // Idempotent: a second pass changes nothing.
    await runConfigurationStage(c, { namespace: ns });
    expect(await protectInUse(c, ns, [PKI])).toEqual({ protected: [], released: [], terminating: [] });
    await foreignSurvive();
  });

  it("a deleted 23ke-config stays, Terminating and readable, and status and doctor say so", async () => {
    expect(await c.delete("v1", "Secret", "23ke-config", ns)).toBe(true);
    const cfg = await c.get<Meta>("v1", "Secret", "23ke-config", ns);
    expect(cfg?.metadata.deletionTimestamp).toBeDefined();
    expect(cfg?.metadata.finalizers).toEqual([IN_USE_FINALIZER]);
    // The configuration stage still reads it; the protection reports it.
    await runConfigurationStage(c, { namespace: ns });
    expect((await protectInUse(c, ns, [PKI])).terminating).toEqual(["23ke-config"]);

    const status = await runCli(["status", ...kube()], process.env);
    expect(status.stderr).toContain(
      `warning: Secret ${ns}/23ke-config was deleted but the landscape depends on it: it is kept (Terminating, finalizer ${IN_USE_FINALIZER}) until '23ke uninstall'`,
    );
    const json = await runCli(["status", ...kube(), "-o", "json"], process.env);
    expect(
      (JSON.parse(json.stdout) as { landscape: { deletedWhileInUse: string[] } }).landscape,
    ).toMatchObject({
      deletedWhileInUse: ["23ke-config"],
    });
    const doctor = await runCli(["doctor", ...kube(), "--catalog", "1.86", "-o", "json"], process.env);
    const findings = (
      JSON.parse(doctor.stdout) as { findings: { check: string; severity: string; object?: string }[] }
    ).findings;
    expect(findings.filter((f) => f.check === "deletion-protection")).toEqual([
      expect.objectContaining({ severity: "warning", object: `Secret ${ns}/23ke-config` }),
    ]);
    await foreignSurvive();
  }, 120_000);

  it("a Secret the landscape no longer depends on loses the finalizer; uninstall takes off the rest", async () => {
    const released = await protectInUse(c, ns, []);
    expect(released.released).toEqual([PKI]);
    expect(await finalizers(PKI)).toEqual([]);

    const u = await runCli(
      ["uninstall", ...kube(), "--catalog", "1.86", "--helm", testEnv().helm, "--yes"],
      process.env,
    );
    expect(u.code, u.stderr).toBe(0);
    expect(u.stdout).toMatch(
      /no longer protected from deletion \(finalizer 23ke\.cloud\/in-use removed\): .*23ke-config/,
    );
    // The deleted config is gone now; what uninstall keeps stays, without the finalizer.
    expect(await c.get("v1", "Secret", "23ke-config", ns)).toBeUndefined();
    expect(await finalizers(GENERATED_SECRETS_NAME)).toEqual([]);
    await foreignSurvive();
  }, 120_000);
});
