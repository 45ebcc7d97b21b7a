/**
 * The configuration stage against a real apiserver: it writes every base-values Secret, a second
 * run changes nothing, generated secrets survive runs and restarts, components that no longer
 * apply lose their Secret, and a bad config writes nothing.
 */
import { describe, expect, it } from "vitest";
import {
  BASE_VALUES_COMPONENTS,
  GENERATED_SECRETS_NAME,
  LABEL_COMPONENT,
  LABEL_MANAGED_BY,
  fanOut,
  parseConfigLayers,
  renderBaseValues,
  runConfigurationStage,
  type ConfigLayer,
} from "../../src/config/index.js";
import { TerminalError, ValidationError } from "../../src/errors/errors.js";
import type { KubeClient, KubeObject } from "../../src/kube/client.js";
import { MINIMAL_CONFIG } from "../support/config-text.js";
import { baseClient, uniqueName } from "../support/env.js";

type Secret = KubeObject & { data?: Record<string, string> };

const b64 = (s: string): string => Buffer.from(s).toString("base64");

const CONFIG = MINIMAL_CONFIG;
const BACKUPS = `backups:\n  enabled: true\n  provider: aws\n  region: eu-central-1\n  bucketName: garden-backups\n  credentials:\n    accessKeyID: ${b64("id")}\n    secretAccessKey: ${b64("secret")}\n`;

function layers(...texts: string[]): ConfigLayer[] {
  const r = parseConfigLayers(texts.map((text, i) => ({ name: `layer-${i}`, text })));
  expect(r.problems).toEqual([]);
  return r.layers;
}

async function baseValuesSecrets(c: KubeClient, ns: string): Promise<Map<string, Secret>> {
  const list = await c.list<Secret>("v1", "Secret", ns, `${LABEL_MANAGED_BY}=23ke`);
  return new Map(
    list.filter((s) => s.metadata.name.endsWith("-base-values")).map((s) => [s.metadata.name, s]),
  );
}

function versions(m: Map<string, Secret>): Record<string, string | undefined> {
  return Object.fromEntries([...m].map(([k, s]) => [k, s.metadata.resourceVersion]));
}

async function putConfigSecret(c: KubeClient, ns: string, name: string, text: string): Promise<void> {
  await c.apply(
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name, namespace: ns },
      data: { "values.yaml": b64(text) },
    },
    "23ke-test",
  );
}

describe("configuration stage", () => {
  it("creates the namespace and writes every base-values Secret with the fanned-out content", async () => {
    const c = baseClient();
    const ns = uniqueName("cfg");
    expect(await c.get("v1", "Namespace", ns)).toBeUndefined();
    const r = await runConfigurationStage(c, { namespace: ns, configLayers: layers(CONFIG) });
    expect(await c.get("v1", "Namespace", ns)).toBeDefined();
    const expected = BASE_VALUES_COMPONENTS.filter((x) => x !== "velero").map((x) => `${x}-base-values`);
    expect(r.written).toEqual([...expected].sort());
    expect(r.generatedSecrets).toBe("created");

    const stored = await baseValuesSecrets(c, ns);
    expect([...stored.keys()].sort()).toEqual([...expected].sort());
    for (const doc of fanOut(r.config, { systemNamespace: ns, cluster: r.cluster })) {
      const s = stored.get(doc.secretName);
      expect(s?.metadata.labels?.[LABEL_COMPONENT]).toBe(doc.component);
      expect(Buffer.from(s?.data?.["values.yaml"] ?? "", "base64").toString("utf8")).toBe(
        renderBaseValues(doc),
      );
    }
    // The generated secrets are in the documents that need them.
    const kas = Buffer.from(
      stored.get("kube-apiserver-base-values")?.data?.["values.yaml"] ?? "",
      "base64",
    ).toString();
    expect(kas).toContain(r.config.generated.healthCheckToken);
    expect(kas).toContain(r.config.generated.bootstrapTokenId);
  });

  it("changes nothing on a second run (resourceVersions stay), also for the generated secrets", async () => {
    const c = baseClient();
    const ns = uniqueName("cfg");
    await runConfigurationStage(c, { namespace: ns, configLayers: layers(CONFIG, BACKUPS) });
    const before = versions(await baseValuesSecrets(c, ns));
    const genBefore = (await c.get<Secret>("v1", "Secret", GENERATED_SECRETS_NAME, ns))?.metadata
      .resourceVersion;

    const second = await runConfigurationStage(c, { namespace: ns, configLayers: layers(CONFIG, BACKUPS) });
    expect(second.written).toEqual([]);
    expect(second.removed).toEqual([]);
    expect(second.unchanged).toHaveLength(BASE_VALUES_COMPONENTS.length);
    expect(second.generatedSecrets).toBe("kept");
    expect(versions(await baseValuesSecrets(c, ns))).toEqual(before);
    expect((await c.get<Secret>("v1", "Secret", GENERATED_SECRETS_NAME, ns))?.metadata.resourceVersion).toBe(
      genBefore,
    );
  });

  it("keeps the generated secrets across runs and a restart (fresh clients, fresh objects)", async () => {
    const ns = uniqueName("cfg");
    const first = await runConfigurationStage(baseClient(), { namespace: ns, configLayers: layers(CONFIG) });
    const again = await runConfigurationStage(baseClient(), {
      namespace: ns,
      configLayers: layers(CONFIG, "clusterIdentity: changed\n"),
    });
    expect(again.config.generated).toEqual(first.config.generated);
    // A "restart": nothing shared with the runs before but the cluster.
    const restarted = await runConfigurationStage(baseClient(), {
      namespace: ns,
      configLayers: layers(CONFIG),
    });
    expect(restarted.config.generated).toEqual(first.config.generated);
    expect(restarted.generatedSecrets).toBe("kept");
    expect(first.config.generated.bootstrapTokenId).toMatch(/^[0-9][a-z0-9]{4}[a-z]$/);
  });

  it("completes a partial generated-secrets Secret without touching what is there", async () => {
    const c = baseClient();
    const ns = uniqueName("cfg");
    await c.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, "23ke-test");
    await putConfigSecret(
      c,
      ns,
      GENERATED_SECRETS_NAME,
      "dashboard:\n  sessionSecret: KeepThisSessionSecret1\n",
    );
    const r = await runConfigurationStage(c, { namespace: ns, configLayers: layers(CONFIG) });
    expect(r.generatedSecrets).toBe("completed");
    expect(r.config.generated.dashboardSessionSecret).toBe("KeepThisSessionSecret1");
    expect(r.config.generated.dashboardClientSecret).toMatch(/^[A-Za-z0-9]{20}$/);
  });

  it("rewrites only the Secrets whose content changed", async () => {
    const c = baseClient();
    const ns = uniqueName("cfg");
    await runConfigurationStage(c, { namespace: ns, configLayers: layers(CONFIG) });
    const before = versions(await baseValuesSecrets(c, ns));
    const r = await runConfigurationStage(c, {
      namespace: ns,
      configLayers: layers(CONFIG, "clusterIdentity: another-identity\n"),
    });
    expect(r.written).toEqual([
      "external-dns-management-base-values",
      "garden-base-values",
      "gardener-base-values",
    ]);
    const after = versions(await baseValuesSecrets(c, ns));
    for (const [name, rv] of Object.entries(after)) {
      if (r.written.includes(name)) expect(rv, name).not.toBe(before[name]);
      else expect(rv, name).toBe(before[name]);
    }
  });

  it("removes the Secret of a component that no longer applies (velero after disabling backups)", async () => {
    const c = baseClient();
    const ns = uniqueName("cfg");
    await runConfigurationStage(c, { namespace: ns, configLayers: layers(CONFIG, BACKUPS) });
    expect(await c.get("v1", "Secret", "velero-base-values", ns)).toBeDefined();
    // A Secret 23ke did not write, even with a base-values name, is not its to remove.
    await putConfigSecret(c, ns, "custom-base-values", "a: 1\n");
    const r = await runConfigurationStage(c, {
      namespace: ns,
      configLayers: layers(CONFIG, BACKUPS, "backups:\n  enabled: false\n"),
    });
    expect(r.removed).toEqual(["velero-base-values"]);
    expect(await c.get("v1", "Secret", "velero-base-values", ns)).toBeUndefined();
    expect(await c.get("v1", "Secret", "custom-base-values", ns)).toBeDefined();
    // The documents that carry backup settings were rewritten.
    expect(r.written).toEqual([
      "addons-base-values",
      "etcd-base-values",
      "garden-base-values",
      "garden-content-base-values",
      "gardenlet-base-values",
      "initial-seed-base-values",
    ]);
  });

  it("reads the 23ke-config layers from Secrets (23ke-config-0 < 23ke-config)", async () => {
    const c = baseClient();
    const ns = uniqueName("cfg");
    await c.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, "23ke-test");
    await putConfigSecret(
      c,
      ns,
      "23ke-config-0",
      "clusterIdentity: from-layer-0\nregistryOverwrite:\n  quay.io: mirror.example.org/quay.io\n",
    );
    await putConfigSecret(c, ns, "23ke-config", `${CONFIG}clusterIdentity: from-23ke-config\n`);
    const r = await runConfigurationStage(c, { namespace: ns });
    expect(r.config.clusterIdentity).toBe("from-23ke-config");
    expect(r.config.registryOverwrite).toEqual({ "quay.io": "mirror.example.org/quay.io" });
  });

  it("names the Secret and line of a problem in a config Secret, and writes nothing", async () => {
    const c = baseClient();
    const ns = uniqueName("cfg");
    await c.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, "23ke-test");
    await putConfigSecret(c, ns, "23ke-config", CONFIG.replace("gardener.example.org", "Not_A_Domain"));
    const err = await runConfigurationStage(c, { namespace: ns }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).problems).toEqual([
      expect.objectContaining({ path: "domains.global.domain", file: `Secret ${ns}/23ke-config`, line: 6 }),
    ]);
    expect((await baseValuesSecrets(c, ns)).size).toBe(0);
    expect(await c.get("v1", "Secret", GENERATED_SECRETS_NAME, ns)).toBeUndefined();
  });

  it("rejects a bad config before creating even the namespace", async () => {
    const c = baseClient();
    const ns = uniqueName("cfg");
    await expect(
      runConfigurationStage(c, { namespace: ns, configLayers: layers("domains: {}\n") }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await c.get("v1", "Namespace", ns)).toBeUndefined();
  });

  it("says which Secret is missing when there is no 23ke-config", async () => {
    const c = baseClient();
    const ns = uniqueName("cfg");
    const err = await runConfigurationStage(c, { namespace: ns }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TerminalError);
    expect((err as TerminalError).reason).toBe("ConfigMissing");
    expect((err as Error).message).toContain(`${ns}/23ke-config`);
  });
});
