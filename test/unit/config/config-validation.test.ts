/**
 * The 23ke-config schema and rules: the real example validates; every bad input is reported with
 * its key path and the line it was written on (marked `# <-` in each case below).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkConfig, parseConfigLayers, type ConfigCheck } from "../../../src/config/index.js";

const root = path.resolve(import.meta.dirname, "..", "..", "..");

function check(...texts: string[]): ConfigCheck & { yaml: ReturnType<typeof parseConfigLayers>["problems"] } {
  const { layers, problems } = parseConfigLayers(
    texts.map((text, i) => ({ name: `layer-${i}`, text, source: `layer-${i}.yaml` })),
  );
  return { ...checkConfig(layers), yaml: problems };
}

const VALID = `issuer:
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

/** VALID with `from` replaced by `to` (which should carry the `# <-` marker). */
const edit = (from: string, to: string): string => {
  if (!VALID.includes(from)) throw new Error(`not in VALID: ${from}`);
  return VALID.replace(from, to);
};

const awsBackups = (creds: string, extra = ""): string =>
  `${VALID}backups:\n  enabled: true\n  provider: aws\n  region: eu-central-1\n  bucketName: garden-backups\n${extra}  credentials:\n${creds}`;

describe("23ke-config: valid inputs", () => {
  it("accepts the real 23KE example (reference/23ke-config-example.yaml)", () => {
    const r = check(readFileSync("/work/shared/reference/23ke-config-example.yaml", "utf8"));
    expect(r.yaml).toEqual([]);
    expect(r.problems).toEqual([]);
    expect(r.valid).toBe(true);
    expect(r.parsed?.domains.global.provider).toBe("azure-dns");
  });

  it.each(["examples/23ke-config.yaml", "examples/23ke-config-minimal.yaml"])("accepts %s", (file) => {
    const r = check(readFileSync(path.join(root, file), "utf8"));
    expect(r.problems).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  it("applies the defaults of DESIGN.md §2", () => {
    const p = check(VALID).parsed;
    expect(p).toMatchObject({
      clusterIdentity: "garden-cluster-identity",
      issuer: { enabled: true, acme: { server: "https://acme-v02.api.letsencrypt.org/directory" } },
      gardenlet: { ingressDomain: "internal" },
      backups: { enabled: false },
    });
  });

  it.each([
    [
      "issuer disabled needs no email",
      "issuer:\n  enabled: false\n" + VALID.slice(VALID.indexOf("domains:")),
    ],
    [
      "openstack-designate with application credentials",
      VALID.replace(
        /provider: aws-route53[\s\S]*/,
        "provider: openstack-designate\n    credentials:\n      OS_AUTH_URL: aHR0cHM6Ly9rZXlzdG9uZQ==\n      OS_APPLICATION_CREDENTIAL_ID: aWQ=\n      OS_APPLICATION_CREDENTIAL_SECRET: c2VjcmV0\n",
      ),
    ],
    [
      "backups on azure",
      `${VALID}backups:\n  enabled: true\n  provider: azure\n  region: westeurope\n  bucketName: garden-backups\n  credentials:\n    storageAccount: YWNjb3VudA==\n    storageAccountAccessKey: a2V5\n`,
    ],
    [
      "backups on s3 with endpoint",
      `${awsBackups("    accessKeyID: aWQ=\n    secretAccessKey: c2VjcmV0\n").replace("provider: aws\n", "provider: s3\n")}  endpoint: https://s3.example.org\n  s3ForcePathStyle: true\n`,
    ],
    [
      "registryOverwrite with host:port and path",
      `${VALID}registryOverwrite:\n  eu.gcr.io: mirror.example.org:5000/eu.gcr.io\n  docker.io/library: mirror.example.org/lib\n`,
    ],
  ])("accepts %s", (_name, text) => {
    expect(check(text).problems).toEqual([]);
  });
});

interface BadCase {
  name: string;
  text: string;
  path: string;
  message?: RegExp;
}

const BAD: BadCase[] = [
  {
    name: "unknown top-level key (typo)",
    text: `${VALID}clusterIdentiy: x # <-\n`,
    path: "clusterIdentiy",
    message: /did you mean "clusterIdentity"/,
  },
  {
    name: "clusterIdentity with upper case and _",
    text: `${VALID}clusterIdentity: Bad_ID # <-\n`,
    path: "clusterIdentity",
  },
  {
    name: "issuer.enabled not a boolean",
    text: edit("issuer:\n", "issuer:\n  enabled: yes # <-\n"),
    path: "issuer.enabled",
    message: /true or false/,
  },
  {
    name: "issuer.acme.email missing while enabled",
    text: edit(
      "  acme:\n    email: ops@example.org\n",
      "  acme: # <-\n    server: https://acme.example.org/directory\n",
    ),
    path: "issuer.acme.email",
    message: /required when issuer.enabled/,
  },
  {
    name: "issuer.acme.email not an email",
    text: edit("email: ops@example.org", "email: not-an-email # <-"),
    path: "issuer.acme.email",
    message: /email/,
  },
  {
    name: "issuer.acme.server not an http(s) URL",
    text: edit("email: ops@example.org\n", "email: ops@example.org\n    server: ftp://acme # <-\n"),
    path: "issuer.acme.server",
  },
  {
    name: "issuer.acme typo",
    text: edit("email: ops@example.org\n", "email: ops@example.org\n    servr: https://x # <-\n"),
    path: "issuer.acme.servr",
    message: /did you mean "server"/,
  },
  {
    name: "issuer.ca not PEM",
    text: edit("issuer:\n", "issuer:\n  ca: not-a-certificate # <-\n"),
    path: "issuer.ca",
    message: /PEM/,
  },
  {
    name: "domains.global.domain not a DNS name",
    text: edit("domain: gardener.example.org", "domain: Gardener_Example.org # <-"),
    path: "domains.global.domain",
    message: /DNS name/,
  },
  {
    name: "domains.global.domain missing",
    text: edit("  global:\n    domain: gardener.example.org\n", "  global: # <-\n"),
    path: "domains.global.domain",
    message: /required/,
  },
  {
    name: "domains.global.domain typo",
    text: edit("domain: gardener.example.org", "domian: gardener.example.org # <-"),
    path: "domains.global.domian",
    message: /did you mean "domain"/,
  },
  {
    name: "unknown DNS provider (near miss)",
    text: edit("provider: aws-route53", "provider: aws-route54 # <-"),
    path: "domains.global.provider",
    message: /did you mean "aws-route53"/,
  },
  {
    name: "required DNS credential missing",
    text: edit("      AWS_SECRET_ACCESS_KEY: ZXhhbXBsZS1zZWNyZXQtYWNjZXNzLWtleQ==\n", ""),
    path: "domains.global.credentials.AWS_SECRET_ACCESS_KEY",
    message: /required by DNS provider aws-route53/,
  },
  {
    name: "DNS credential not base64",
    text: edit("AWS_ACCESS_KEY_ID: QUtJQUVYQU1QTEVLRVlJRA==", "AWS_ACCESS_KEY_ID: AKIA-PLAIN-TEXT! # <-"),
    path: "domains.global.credentials.AWS_ACCESS_KEY_ID",
    message: /base64/,
  },
  {
    name: "DNS credential a number",
    text: edit("AWS_ACCESS_KEY_ID: QUtJQUVYQU1QTEVLRVlJRA==", "AWS_ACCESS_KEY_ID: 12345 # <-"),
    path: "domains.global.credentials.AWS_ACCESS_KEY_ID",
    message: /base64/,
  },
  {
    name: "DNS credentials not a map",
    text: edit(
      "    credentials:\n      AWS_ACCESS_KEY_ID: QUtJQUVYQU1QTEVLRVlJRA==\n      AWS_SECRET_ACCESS_KEY: ZXhhbXBsZS1zZWNyZXQtYWNjZXNzLWtleQ==\n",
      "    credentials: c2VjcmV0 # <-\n",
    ),
    path: "domains.global.credentials",
  },
  {
    name: "domains missing",
    text: "issuer: # <-\n  acme:\n    email: ops@example.org\n",
    path: "domains",
    message: /required/,
  },
  {
    name: "domains.dashboard.domain not a DNS name",
    text: `${VALID}  dashboard:\n    domain: https://dashboard.example.org # <-\n`,
    path: "domains.dashboard.domain",
  },
  {
    name: "domains.api unknown key",
    text: `${VALID}  api:\n    host: api.example.org # <-\n`,
    path: "domains.api.host",
    message: /unknown key/,
  },
  {
    name: "domains.gardenlet.ingressDomain not a DNS name",
    text: `${VALID}  gardenlet:\n    ingressDomain: "*.internal.example.org" # <-\n`,
    path: "domains.gardenlet.ingressDomain",
  },
  {
    name: "defaultDomains not a list",
    text: `${VALID}  gardener:\n    defaultDomains: shoots.example.org # <-\n`,
    path: "domains.gardener.defaultDomains",
    message: /list/,
  },
  {
    name: "defaultDomains[1].domain not a DNS name",
    text: `${VALID}  gardener:\n    defaultDomains:\n      - domain: a.example.org\n      - domain: bad..example.org # <-\n`,
    path: "domains.gardener.defaultDomains[1].domain",
  },
  {
    name: "defaultDomains entry with another provider but no credentials",
    text: `${VALID}  gardener:\n    defaultDomains:\n      - domain: shoots.example.org # <-\n        provider: azure-dns\n`,
    path: "domains.gardener.defaultDomains[0].credentials",
    message: /differs/,
  },
  {
    name: "defaultDomains entry missing a key of its provider",
    text: `${VALID}  gardener:\n    defaultDomains:\n      - domain: shoots.example.org\n        provider: alicloud-dns\n        credentials: # <-\n          ACCESS_KEY_ID: aWQ=\n`,
    path: "domains.gardener.defaultDomains[0].credentials.ACCESS_KEY_SECRET",
  },
  {
    name: "internalDomain with an unknown provider",
    text: `${VALID}  gardener:\n    internalDomain:\n      provider: route53 # <-\n      credentials:\n        x: eA==\n`,
    path: "domains.gardener.internalDomain.provider",
    message: /unknown DNS provider/,
  },
  {
    name: "gardenlet.ingressDomain not a DNS label",
    text: `${VALID}gardenlet:\n  ingressDomain: In_ternal # <-\n`,
    path: "gardenlet.ingressDomain",
  },
  {
    name: "gardenlet.bootstrapTokenId wrong format",
    text: `${VALID}gardenlet:\n  bootstrapTokenId: ABCDEFG # <-\n`,
    path: "gardenlet.bootstrapTokenId",
    message: /6 lower-case/,
  },
  {
    name: "backups.enabled a string",
    text: `${VALID}backups:\n  enabled: "true" # <-\n`,
    path: "backups.enabled",
    message: /true or false/,
  },
  {
    name: "backups enabled without provider",
    text: `${VALID}backups: # <-\n  enabled: true\n`,
    path: "backups.provider",
    message: /required when backups.enabled/,
  },
  {
    name: "backups enabled without region",
    text: `${VALID}backups: # <-\n  enabled: true\n`,
    path: "backups.region",
  },
  {
    name: "backups enabled without bucketName",
    text: `${VALID}backups: # <-\n  enabled: true\n`,
    path: "backups.bucketName",
  },
  {
    name: "backups enabled without credentials",
    text: `${VALID}backups: # <-\n  enabled: true\n`,
    path: "backups.credentials",
  },
  {
    name: "backups.provider unknown",
    text: `${VALID}backups:\n  provider: gcs # <-\n`,
    path: "backups.provider",
    message: /aws, azure, openstack, s3/,
  },
  {
    name: "aws backup credentials missing secretAccessKey",
    text: awsBackups("    accessKeyID: aWQ=\n").replace("\n  credentials:\n", "\n  credentials: # <-\n"),
    path: "backups.credentials.secretAccessKey",
    message: /backup provider aws/,
  },
  {
    name: "azure backup credentials missing the access key",
    text: `${VALID}backups:\n  enabled: true\n  provider: azure\n  region: westeurope\n  bucketName: garden-backups\n  credentials: # <-\n    storageAccount: YWNjb3VudA==\n`,
    path: "backups.credentials.storageAccountAccessKey",
  },
  {
    name: "openstack backup credentials with neither alternative",
    text: `${VALID}backups:\n  enabled: true\n  provider: openstack\n  region: RegionOne\n  bucketName: garden-backups\n  credentials: # <-\n    authURL: aHR0cHM6Ly9rZXlzdG9uZQ==\n    region: UmVnaW9uT25l\n    username: dXNlcg==\n`,
    path: "backups.credentials.password",
    message: /either/,
  },
  {
    name: "s3 backups without endpoint",
    text: awsBackups("    accessKeyID: aWQ=\n    secretAccessKey: c2VjcmV0\n")
      .replace("provider: aws\n", "provider: s3\n")
      .replace("backups:\n", "backups: # <-\n"),
    path: "backups.endpoint",
    message: /endpoint/,
  },
  {
    name: "backups.bucketName too short",
    text: `${VALID}backups:\n  bucketName: A # <-\n`,
    path: "backups.bucketName",
  },
  {
    name: "backups.endpoint not a URL",
    text: `${VALID}backups:\n  endpoint: s3.example.org # <-\n`,
    path: "backups.endpoint",
    message: /URL/,
  },
  {
    name: "backup credential not base64",
    text: awsBackups("    accessKeyID: plain text # <-\n    secretAccessKey: c2VjcmV0\n"),
    path: "backups.credentials.accessKeyID",
    message: /base64/,
  },
  {
    name: "registryOverwrite key with a scheme",
    text: `${VALID}registryOverwrite:\n  https://eu.gcr.io: mirror.example.org # <-\n`,
    path: 'registryOverwrite["https://eu.gcr.io"]',
    message: /registry host/,
  },
  {
    name: "registryOverwrite empty replacement",
    text: `${VALID}registryOverwrite:\n  eu.gcr.io: "" # <-\n`,
    path: 'registryOverwrite["eu.gcr.io"]',
  },
  {
    name: "registryOverwrite not a map",
    text: `${VALID}registryOverwrite: mirror.example.org # <-\n`,
    path: "registryOverwrite",
  },
  {
    name: "rfc2136 missing TSIGSecretAlgorithm",
    text: VALID.replace(
      /provider: aws-route53[\s\S]*/,
      "provider: rfc2136\n    credentials: # <-\n      Server: MTAuMC4wLjE6NTM=\n      TSIGKeyName: a2V5Lg==\n      TSIGSecret: c2VjcmV0\n      Zone: ZXhhbXBsZS5vcmcu\n",
    ),
    path: "domains.global.credentials.TSIGSecretAlgorithm",
  },
  {
    name: "openstack-designate missing OS_AUTH_URL",
    text: VALID.replace(
      /provider: aws-route53[\s\S]*/,
      "provider: openstack-designate\n    credentials: # <-\n      OS_APPLICATION_CREDENTIAL_ID: aWQ=\n      OS_APPLICATION_CREDENTIAL_SECRET: c2VjcmV0\n",
    ),
    path: "domains.global.credentials.OS_AUTH_URL",
  },
  {
    name: "google-clouddns missing serviceaccount.json",
    text: VALID.replace(
      /provider: aws-route53[\s\S]*/,
      "provider: google-clouddns\n    credentials: # <-\n      project: cHJvamVjdA==\n",
    ),
    path: 'domains.global.credentials["serviceaccount.json"]',
  },
  {
    name: "kubeAPIServer.staticTokens key with wrong case",
    text: `${VALID}kubeAPIServer:\n  staticTokens:\n    healthcheck: x # <-\n`,
    path: "kubeAPIServer.staticTokens.healthcheck",
    message: /did you mean "healthCheck"/,
  },
  {
    name: "dashboard unknown key",
    text: `${VALID}dashboard:\n  sessionSecrett: x # <-\n`,
    path: "dashboard.sessionSecrett",
    message: /did you mean "sessionSecret"/,
  },
];

function markedLine(text: string): number {
  const i = text.split("\n").findIndex((l) => l.includes("# <-"));
  if (i === -1) throw new Error("case has no # <- marker");
  return i + 1;
}

describe("23ke-config: bad inputs", () => {
  it("has at least 30 distinct bad inputs", () => {
    expect(new Set(BAD.map((c) => c.text)).size).toBeGreaterThanOrEqual(30);
  });

  it.each(BAD)("$name → $path", ({ text, path: want, message }) => {
    const r = check(text);
    expect(r.yaml).toEqual([]);
    expect(r.valid).toBe(false);
    const hit = r.problems.find((p) => p.path === want);
    expect(hit, `problems: ${JSON.stringify(r.problems)}`).toBeDefined();
    expect(hit?.file).toBe("layer-0.yaml");
    if (text.includes("# <-")) expect(hit?.line).toBe(markedLine(text));
    if (message !== undefined) expect(hit?.message).toMatch(message);
  });

  it("never puts a credential or secret value into a message", () => {
    const secrets = [
      "AKIA-PLAIN-TEXT!",
      "plain text",
      "c2VjcmV0",
      "QUtJQUVYQU1QTEVLRVlJRA==",
      "ZXhhbXBsZS1zZWNyZXQtYWNjZXNzLWtleQ==",
    ];
    for (const c of BAD) {
      const r = check(c.text);
      const out = JSON.stringify([r.problems, r.warnings]);
      for (const s of secrets) expect(out, c.name).not.toContain(s);
    }
  });

  it("reports every problem at once, schema and rules together", () => {
    const text = `clusterIdentiy: x\nissuer:\n  enabled: maybe\ndomains:\n  global:\n    domain: Bad_Domain\n    provider: aws-route53\n    credentials:\n      AWS_ACCESS_KEY_ID: "!!"\nbackups:\n  enabled: true\n`;
    const paths = check(text).problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "clusterIdentiy",
        "issuer.enabled",
        "issuer.acme.email",
        "domains.global.domain",
        "domains.global.credentials.AWS_ACCESS_KEY_ID",
        "domains.global.credentials.AWS_SECRET_ACCESS_KEY",
        "backups.provider",
        "backups.region",
        "backups.bucketName",
        "backups.credentials",
      ]),
    );
  });

  it("reports a YAML syntax error with file, line and column", () => {
    const r = check("domains:\n  global: {domain: x\n");
    expect(r.yaml[0]).toMatchObject({
      file: "layer-0.yaml",
      line: expect.any(Number) as number,
      column: expect.any(Number) as number,
    });
    expect(r.yaml[0]?.message).toMatch(/YAML syntax error/);
  });
});

describe("23ke-config: warnings", () => {
  it.each([
    [
      "kubeApiServer.basicAuthPassword",
      `${VALID}kubeApiServer:\n  basicAuthPassword: hunter2 # <-\n`,
      /legacy/,
    ],
    [
      "dashboard.clientSecret",
      `${VALID}dashboard:\n  clientSecret: hunter2 # <-\n`,
      /overridden by the generated secret/,
    ],
    ["dashboard.sessionSecret", `${VALID}dashboard:\n  sessionSecret: hunter2 # <-\n`, /overridden/],
    ["addons.vpa.enabled", `${VALID}addons:\n  vpa:\n    enabled: true # <-\n`, /legacy/],
    ["gardenlet.bootstrapTokenId", `${VALID}gardenlet:\n  bootstrapTokenId: 0abcda # <-\n`, /overridden/],
    [
      "domains.global.credentials.AWS_REGON",
      edit(
        "AWS_ACCESS_KEY_ID: QUtJQUVYQU1QTEVLRVlJRA==",
        "AWS_ACCESS_KEY_ID: QUtJQUVYQU1QTEVLRVlJRA==\n      AWS_REGON: ZXUtY2VudHJhbC0x # <-",
      ),
      /did you mean "AWS_REGION"/,
    ],
  ])("accepts %s with a warning", (want, text, message) => {
    const r = check(text);
    expect(r.problems).toEqual([]);
    const w = r.warnings.find((x) => x.path === want);
    expect(w?.message).toMatch(message);
    expect(w?.line).toBe(markedLine(text));
    expect(JSON.stringify(r.warnings)).not.toContain("hunter2");
  });
});

describe("23ke-config: layering (23ke-config-0 < -1 < -2 < 23ke-config)", () => {
  it("later layers win, maps merge", () => {
    const r = check(
      VALID,
      "clusterIdentity: from-layer-0\n",
      "clusterIdentity: from-layer-1\nissuer:\n  acme:\n    email: other@example.org\n",
    );
    expect(r.parsed?.clusterIdentity).toBe("from-layer-1");
    expect(r.parsed?.issuer.acme.email).toBe("other@example.org");
    expect(r.parsed?.domains.global.domain).toBe("gardener.example.org");
  });

  it("null deletes a key of a lower layer", () => {
    const r = check(
      `${VALID}registryOverwrite:\n  eu.gcr.io: m.example.org/eu.gcr.io\n`,
      "registryOverwrite: null\n",
    );
    expect(r.valid).toBe(true);
    expect(r.parsed?.registryOverwrite).toBeUndefined();
  });

  it("locates a problem in the layer that wrote the key", () => {
    const r = check(VALID, "\n\ndomains:\n  global:\n    domain: NOT_OK\n");
    expect(r.problems).toEqual([
      expect.objectContaining({ path: "domains.global.domain", file: "layer-1.yaml", line: 5 }),
    ]);
  });

  it("lets a lower layer hold what a higher one lacks", () => {
    const shared = VALID.replace(/issuer:[\s\S]*?domains:/, "domains:");
    expect(check(shared).valid).toBe(false);
    expect(check(shared, "issuer:\n  acme:\n    email: a@example.org\n").valid).toBe(true);
  });
});
