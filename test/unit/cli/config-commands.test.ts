/**
 * Black-box tests of `23ke validate` and `23ke values`: they run the BUILT binary (bin/23ke, after
 * `npm run build`) in a temporary directory, and check exit codes and output shapes.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..", "..", "..");
const bin = path.join(root, "bin", "23ke");
const example = path.join(root, "examples", "23ke-config.yaml");
const reference = "/work/shared/reference/23ke-config-example.yaml";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(bin, args, { cwd, env: { ...process.env, NO_COLOR: "1", ...env } }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;

beforeAll(() => {
  if (!existsSync(path.join(root, "dist", "cli", "commands", "validate.js"))) {
    throw new Error("the CLI is not built: run `npm run build` first");
  }
  dir = mkdtempSync(path.join(os.tmpdir(), "23ke-cli-config-"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const write = (name: string, text: string): string => {
  const p = path.join(dir, name);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
};

const MINIMAL = `issuer:
  acme:
    email: ops@example.org
domains:
  global:
    domain: gardener.example.org
    provider: aws-route53
    credentials:
      AWS_ACCESS_KEY_ID: QUtJQUVYQU1QTEVLRVlJRA==
      AWS_SECRET_ACCESS_KEY: ZXhhbXBsZS1zZWNyZXQtYWNjZXNzLWtleQ==
`;

describe("23ke validate", () => {
  it.each([example, path.join(root, "examples", "23ke-config-minimal.yaml"), reference])(
    "accepts %s (exit 0)",
    async (file) => {
      const r = await run(["validate", "-f", file], dir);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^valid: /);
    },
  );

  it("lists every problem with file and line and exits 1", async () => {
    const f = write(
      "bad.yaml",
      MINIMAL.replace("gardener.example.org", "Bad_Domain").replace("ops@example.org", "nope") +
        "clusterIdentiy: x\n",
    );
    const r = await run(["validate", "-f", f], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${f}:6:5: domains.global.domain: expected a DNS name`);
    expect(r.stdout).toContain(`${f}:3:5: issuer.acme.email:`);
    expect(r.stdout).toContain(`${f}:11:1: clusterIdentiy: unknown key; did you mean "clusterIdentity"?`);
    expect(r.stdout).toMatch(/3 problems/);
  });

  it("prints exactly {valid, problems, warnings} with --output json", async () => {
    const f = write(
      "bad-json.yaml",
      MINIMAL.replace("QUtJQUVYQU1QTEVLRVlJRA==", "plain-secret-value!") +
        "dashboard:\n  clientSecret: hunter2\n",
    );
    const r = await run(["validate", "-f", f, "--output", "json"], dir);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as {
      valid: boolean;
      problems: Record<string, unknown>[];
      warnings: Record<string, unknown>[];
    };
    expect(Object.keys(out).sort()).toEqual(["problems", "valid", "warnings"]);
    expect(out.valid).toBe(false);
    expect(out.problems).toEqual([
      {
        path: "domains.global.credentials.AWS_ACCESS_KEY_ID",
        message: expect.stringContaining("base64") as string,
        file: f,
        line: 9,
      },
    ]);
    expect(out.warnings).toEqual([
      { path: "dashboard.clientSecret", message: expect.any(String) as string, file: f, line: 12 },
    ]);
    expect(r.stdout).not.toContain("plain-secret-value!");
    expect(r.stdout).not.toContain("hunter2");
  });

  it("layers several files, later wins", async () => {
    const base = write("layer-0.yaml", MINIMAL.replace("gardener.example.org", "Bad_Domain"));
    const fix = write("layer-1.yaml", "domains:\n  global:\n    domain: fixed.example.org\n");
    expect((await run(["validate", "-f", base], dir)).code).toBe(1);
    const r = await run(["validate", "-f", base, "-f", fix, "-o", "json"], dir);
    expect(JSON.parse(r.stdout)).toEqual({ valid: true, problems: [], warnings: [] });
    expect(r.code).toBe(0);
  });

  it("reports a YAML syntax error with line and a missing file as problems", async () => {
    const broken = write("broken.yaml", "domains:\n  global: [\n");
    const r = await run(["validate", "-f", broken, "-f", path.join(dir, "missing.yaml"), "-o", "json"], dir);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { problems: { file?: string; line?: number; message: string }[] };
    expect(out.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          file: path.join(dir, "missing.yaml"),
          message: expect.stringContaining("ENOENT") as string,
        }),
        expect.objectContaining({
          file: broken,
          line: expect.any(Number) as number,
          message: expect.stringContaining("YAML syntax error") as string,
        }),
      ]),
    );
  });

  it("asks for -f when no file is given (exit 2)", async () => {
    const r = await run(["validate"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("-f FILE");
  });

  it("rejects an unknown --output with a usage error (exit 2)", async () => {
    expect((await run(["validate", "-f", example, "--output", "xml"], dir)).code).toBe(2);
  });
});

describe("23ke values", () => {
  it("prints {component, values, provenance} with secrets masked", async () => {
    const r = await run(["values", "gardenlet", "-f", example, "-o", "json"], dir);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      component: string;
      values: Record<string, unknown>;
      provenance: Record<string, string>;
    };
    expect(Object.keys(out).sort()).toEqual(["component", "provenance", "values"]);
    expect(out.component).toBe("gardenlet");
    expect(out.provenance["config.seedConfig.spec.ingress.domain"]).toBe("gardenlet-base-values");
    expect(r.stdout).not.toContain("ZXhhbXBsZS1zZWNyZXQtYWNjZXNzLWtleQ==");
    // The seed's DNS credentials reach the virtual garden through garden-content: masked too.
    const gc = await run(["values", "garden-content", "-f", example, "-o", "json"], dir);
    expect(gc.code).toBe(0);
    expect((JSON.parse(gc.stdout) as { values: unknown }).values).toMatchObject({
      global: { additionalSecrets: [{ data: { AWS_SECRET_ACCESS_KEY: "<masked>" } }] },
    });
    expect(gc.stdout).not.toContain("ZXhhbXBsZS1zZWNyZXQtYWNjZXNzLWtleQ==");
  });

  it("shows secrets with --show-secrets", async () => {
    const r = await run(["values", "dnsprovider", "-f", example, "-o", "json", "--show-secrets"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("ZXhhbXBsZS1zZWNyZXQtYWNjZXNzLWtleQ==");
  });

  it("layers <component>-values*.yaml from --values-dir and names the layer of each key", async () => {
    const cfg = path.join(dir, "repo", "config");
    write(
      "repo/config/gardenlet-values-0.yaml",
      "config:\n  featureGates:\n    HVPA: false\n    Extra: true\n",
    );
    write(
      "repo/config/gardenlet-values.yaml",
      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: gardenlet-values\nstringData:\n  values.yaml: |\n    config:\n      featureGates:\n        Extra: false\n      seedConfig:\n        metadata:\n          name: initial-seed\n",
    );
    const r = await run(
      ["values", "internal-gardenlet", "-f", example, "--values-dir", cfg, "-o", "json"],
      dir,
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      values: { config: { featureGates: Record<string, boolean> } };
      provenance: Record<string, string>;
    };
    expect(out.values.config.featureGates).toEqual({ HVPA: false, Extra: false });
    expect(out.provenance).toMatchObject({
      "config.featureGates.HVPA": "gardenlet-values-0",
      "config.featureGates.Extra": "gardenlet-values",
      "config.seedConfig.metadata.name": "gardenlet-values",
      "config.seedConfig.spec.ingress.domain": "gardenlet-base-values",
    });
  });

  it("annotates the YAML output with the layer of each key", async () => {
    const r = await run(["values", "issuer", "-f", example], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("email: ops@example.org # issuer-base-values");
  });

  it("rejects an unknown component, listing the known ones (exit 2)", async () => {
    const r = await run(["values", "gardnlet", "-f", example], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown component "gardnlet" (did you mean "gardenlet"?)');
    expect(r.stderr).toContain("kube-apiserver");
  });

  it("computes gardener-operator's image rewrite for the Gardener release of --catalog", async () => {
    const f = write(
      "mirror.yaml",
      `${MINIMAL}\nregistryOverwrite:\n  europe-docker.pkg.dev/gardener-project/releases: mirror.example/gardener\n`,
    );
    const vectorOf = async (catalog: string) => {
      const r = await run(["values", "gardener-operator", "-f", f, "--catalog", catalog, "-o", "json"], dir);
      expect(r.code).toBe(0);
      return (JSON.parse(r.stdout) as { values: { imageVectorOverwrite?: string } }).values;
    };
    const v149 = await vectorOf("1.149");
    expect(v149).toMatchObject({ image: { repository: "mirror.example/gardener/gardener/operator" } });
    expect(v149.imageVectorOverwrite).toContain("mirror.example/gardener");
    const unknown = await run(["values", "garden", "-f", f, "--catalog", "9.9"], dir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no catalog '9.9'");
  });

  it("says why velero does not apply without backups (exit 1)", async () => {
    const f = write("no-backups.yaml", MINIMAL);
    const r = await run(["values", "velero", "-f", f], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("backups.enabled");
  });

  it("stops on an invalid config with its problems (exit 1)", async () => {
    const f = write("invalid-for-values.yaml", MINIMAL.replace("aws-route53", "aws-route54"));
    const r = await run(["values", "dnsprovider", "-f", f], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("domains.global.provider");
  });

  it("has help that names the layers and the components", async () => {
    const r = await run(["values", "--help"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("<component>-base-values");
    expect(r.stdout).toContain("Components:");
    expect(r.stdout).toContain("gardenlet");
  });
});

describe("23ke version", () => {
  it("prints its own version even when helm is missing, and says so (exit 0)", async () => {
    const r = await run(["version", "--helm", path.join(dir, "no-such-helm")], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^23ke \d+\.\d+\.\d+\n/);
    expect(r.stdout).toContain("helm: missing:");
    const j = await run(["version", "--helm", path.join(dir, "no-such-helm"), "-o", "json"], dir);
    const out = JSON.parse(j.stdout) as { version: string; helm: { error?: string } };
    expect(out.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(out.helm.error).toContain("does not exist");
  });

  it("takes helm from $HELM_BINARY when there is no --helm", async () => {
    const r = await run(["version"], dir, { HELM_BINARY: path.join(dir, "no-such-helm") });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `helm: missing: helm binary ${path.join(dir, "no-such-helm")} (from $HELM_BINARY)`,
    );
  });
});
