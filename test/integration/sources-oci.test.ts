/**
 * The chart source against a real OCI registry on loopback (CNCF Distribution, plain HTTP):
 * charts packaged by the real `helm package` and pushed by `helm push`, then fetched through
 * `ChartSource` with the real `helm pull` as its OCI puller. Covers digest and cache reuse,
 * ranges, missing versions and charts, an unreachable registry, and basic auth (right, wrong and
 * no credentials, the password never in the error).
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { defaultBinDir, helmEnvFor, projectRoot } from "../../tools/devenv/src/environment.js";
import { startOciRegistry, type OciRegistry } from "../../tools/devenv/src/oci-registry.js";
import { ProcessGroup } from "../../tools/devenv/src/processes.js";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import { describeError } from "../../src/errors/errors.js";
import { helmOciPuller } from "../../src/helm/helm-pull.js";
import { readRepositoryCredentials } from "../../src/landscape/chart-sources.js";
import { Landscape } from "../../src/landscape/landscape.js";
import {
  ChartSource,
  type ChartSourceOptions,
  type OciChartPuller,
  type OciPullRequest,
} from "../../src/sources/helm/chart-source.js";
import { expectError } from "../support/expect-error.js";

const run = promisify(execFile);
const helm = path.join(defaultBinDir, "helm");
const fixtures = path.join(projectRoot, "test", "fixtures", "source-charts");

let tmp: string;
let group: ProcessGroup;
let open: OciRegistry;
let locked: OciRegistry;
let helmEnv: NodeJS.ProcessEnv;
/** sha256 of each packaged archive, by "name-version". */
const packaged = new Map<string, string>();
let n = 0;

/** The real helm puller, counting its pulls. */
function countingPuller(): OciChartPuller & { pulls: OciPullRequest[] } {
  const real = helmOciPuller({ helm, env: helmEnv });
  const pulls: OciPullRequest[] = [];
  return {
    pulls,
    pull: (req) => {
      pulls.push(req);
      return real.pull(req);
    },
  };
}

function source(
  puller: OciChartPuller,
  extra: Partial<ChartSourceOptions> = {},
  cacheDir?: string,
): ChartSource {
  return new ChartSource({
    cacheDir: cacheDir ?? path.join(tmp, `cache-${n++}`),
    requestTimeoutMs: 20_000,
    ociPuller: puller,
    plainHttpRegistries: [open.url, locked.url],
    ...extra,
  });
}

/** A port on 127.0.0.1 between 40100 and 40199 that nothing listens on. */
async function closedPortStartingWith401(): Promise<number> {
  for (let port = 40100; port < 40200; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once("error", () => resolve(false));
      srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error("no free port in 40100-40199");
}

async function pushAll(registry: OciRegistry, registryConfig: string): Promise<void> {
  for (const [key] of packaged) {
    await run(
      helm,
      [
        "push",
        path.join(tmp, "packages", `${key}.tgz`),
        `oci://${registry.url}/charts`,
        "--plain-http",
        "--registry-config",
        registryConfig,
      ],
      { env: helmEnv },
    );
  }
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "23ke-sources-oci-"));
  helmEnv = helmEnvFor(tmp);
  group = new ProcessGroup();
  [open, locked] = await Promise.all([
    startOciRegistry({ dir: path.join(tmp, "open"), binDir: defaultBinDir, group }),
    startOciRegistry({ dir: path.join(tmp, "locked"), binDir: defaultBinDir, group, auth: true }),
  ]);
  const pkgs = path.join(tmp, "packages");
  mkdirSync(pkgs, { recursive: true });
  for (const key of ["alpha-1.0.0", "alpha-1.2.0"]) {
    await run(helm, ["package", path.join(fixtures, key), "--destination", pkgs], { env: helmEnv });
    packaged.set(
      key,
      createHash("sha256")
        .update(readFileSync(path.join(pkgs, `${key}.tgz`)))
        .digest("hex"),
    );
  }
  await pushAll(open, path.join(tmp, "registry-open.json"));
  const lockedConfig = path.join(tmp, "registry-locked.json");
  const creds = locked.credentials;
  if (creds === undefined) throw new Error("the locked registry has no credentials");
  const login = run(
    helm,
    [
      "registry",
      "login",
      locked.url,
      "--plain-http",
      "--username",
      creds.username,
      "--password-stdin",
      "--registry-config",
      lockedConfig,
    ],
    { env: helmEnv },
  );
  login.child.stdin?.end(creds.password);
  await login;
  await pushAll(locked, lockedConfig);
});

afterAll(async () => {
  await group?.stop();
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

describe("chart source over OCI", () => {
  it("pulls once with the pushed archive's digest, then serves the exact version from the cache", async () => {
    const cacheDir = path.join(tmp, "shared-cache");
    const repository = `oci://${open.url}/charts`;
    const puller = countingPuller();
    const cold = await source(puller, {}, cacheDir).fetch({ repository, name: "alpha", version: "1.2.0" });
    expect(cold).toMatchObject({ repository, name: "alpha", version: "1.2.0", downloaded: true });
    expect(cold.digest).toBe(packaged.get("alpha-1.2.0"));
    expect(cold.path).toBe(path.join(cacheDir, "charts", "sha256", `${cold.digest}.tgz`));
    // The registry holds the archive as the chart layer: same bytes, same digest.
    const manifest = (await (
      await fetch(`http://${open.url}/v2/charts/alpha/manifests/1.2.0`, {
        headers: { Accept: "application/vnd.oci.image.manifest.v1+json" },
      })
    ).json()) as { layers: { mediaType: string; digest: string }[] };
    expect(manifest.layers).toContainEqual(
      expect.objectContaining({
        mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
        digest: `sha256:${cold.digest}`,
      }),
    );
    expect(puller.pulls.map((p) => [p.ref, p.version, p.plainHttp])).toEqual([
      [`${repository}/alpha`, "1.2.0", true],
    ]);

    const warm = await source(puller, {}, cacheDir).fetch({ repository, name: "alpha", version: "1.2.0" });
    expect(warm).toMatchObject({ version: "1.2.0", digest: cold.digest, path: cold.path, downloaded: false });
    expect(puller.pulls).toHaveLength(1);
  });

  it("resolves a range through helm and pulls the newest matching version", async () => {
    const puller = countingPuller();
    const got = await source(puller).fetch({
      repository: `oci://${open.url}/charts`,
      name: "alpha",
      version: "^1",
    });
    expect(got.version).toBe("1.2.0");
    expect(got.digest).toBe(packaged.get("alpha-1.2.0"));
  });

  it("names repository, chart and version when the version or the chart is missing", async () => {
    const repository = `oci://${open.url}/charts`;
    const version = await expectError(
      source(countingPuller()).fetch({ repository, name: "alpha", version: "9.9.9" }),
      "ChartVersionNotFound",
    );
    expect(version.kind).toBe("terminal");
    expect(version.message).toContain(`chart alpha 9.9.9 from ${repository}`);
    const chart = await expectError(
      source(countingPuller()).fetch({ repository, name: "gamma", version: "1.0.0" }),
      "ChartVersionNotFound",
    );
    expect(chart.message).toContain(`chart gamma 1.0.0 from ${repository}`);
  });

  it("reports an unreachable registry as transient, also when its port looks like a status code", async () => {
    // helm quotes the address in its error; a port such as 401xx once read as "401 Unauthorized".
    const url = `127.0.0.1:${await closedPortStartingWith401()}`;
    const err = await expectError(
      source(countingPuller(), { plainHttpRegistries: [url] }).fetch({
        repository: `oci://${url}/charts`,
        name: "alpha",
        version: "1.2.0",
      }),
      "ChartRepositoryUnreachable",
    );
    expect(err.kind).toBe("transient");
    expect(err.message).toContain(`chart alpha 1.2.0 from oci://${url}/charts`);
  });

  it("logs in with the configured credentials; wrong or missing ones fail without the password", async () => {
    const repository = `oci://${locked.url}/charts`;
    const creds = locked.credentials;
    if (creds === undefined) throw new Error("the locked registry has no credentials");
    const ok = await source(countingPuller(), {
      credentials: { [repository]: creds },
    }).fetch({ repository, name: "alpha", version: "1.0.0" });
    expect(ok.digest).toBe(packaged.get("alpha-1.0.0"));

    // Credentials for the registry host apply to every repository on it.
    const byHost = await source(countingPuller(), {
      credentials: { [`oci://${locked.url}`]: creds },
    }).fetch({ repository, name: "alpha", version: "1.2.0" });
    expect(byHost.digest).toBe(packaged.get("alpha-1.2.0"));

    const wrongPassword = "not-the-password-0123456789";
    const wrong = await expectError(
      source(countingPuller(), {
        credentials: { [repository]: { username: creds.username, password: wrongPassword } },
      }).fetch({ repository, name: "alpha", version: "1.0.0" }),
      "ChartRepositoryAuthFailed",
    );
    expect(wrong.kind).toBe("terminal");
    expect(wrong.message).toContain(`chart alpha 1.0.0 from ${repository}`);
    expect(describeError(wrong)).not.toContain(wrongPassword);

    const none = await expectError(
      source(countingPuller()).fetch({ repository, name: "alpha", version: "1.0.0" }),
      "ChartRepositoryAuthFailed",
    );
    expect(describeError(none)).not.toContain(creds.password);
  });
});

describe("the landscape's chart source (what apply and plan use)", () => {
  it("pulls from an authenticated OCI registry with the credentials file's login, over plain HTTP", async () => {
    const creds = locked.credentials;
    if (creds === undefined) throw new Error("the locked registry has no credentials");
    const repository = `oci://${locked.url}/charts`;
    const file = path.join(tmp, "chart-credentials.yaml");
    writeFileSync(file, stringify({ [repository]: { username: creds.username, password: creds.password } }));
    const landscapeWith = (credentials: boolean): Landscape =>
      Landscape.open(
        {
          systemNamespace: "23ke-system",
          catalog: loadCatalog("1.86"),
          config: { layers: [] },
          charts: {
            cacheDir: path.join(tmp, `landscape-cache-${n++}`),
            ...(credentials ? { credentials: readRepositoryCredentials(file) } : {}),
            plainHttpRegistries: [locked.url],
            builtinChartsDir: path.join(projectRoot, "charts"),
          },
          helm: { binary: helm, env: helmEnv },
        },
        helmEnv,
      );
    const chart = await landscapeWith(true).charts.fetch({
      repositoryUrl: repository,
      name: "alpha",
      version: "1.0.0",
    });
    expect(chart.digest).toBe(packaged.get("alpha-1.0.0"));
    const denied = await expectError(
      landscapeWith(false).charts.fetch({ repositoryUrl: repository, name: "alpha", version: "1.0.0" }),
      "ChartRepositoryAuthFailed",
    );
    expect(describeError(denied)).not.toContain(creds.password);
  });
});
