/**
 * The test environment plays the controllers that the stand-in charts leave out (DESIGN.md §9,
 * issue 5 part 6): cert-manager, gardener cert-management and external-dns-management. A bounded
 * polling loop lists their objects in one cluster and sets `status` the way the real controllers
 * would, so that health gating is exercised for real:
 *
 * - `dns.gardener.cloud/v1alpha1 DNSProvider`: `status.state: Ready`, or `Error` when its
 *   credentials Secret is missing;
 * - `cert.gardener.cloud/v1alpha1 Issuer`: `status.state: Ready`;
 * - `cert.gardener.cloud/v1alpha1 Certificate`: writes the `spec.secretRef` Secret, `status.state:
 *   Ready` (or `Error` when its issuer is in error);
 * - `cert-manager.io/v1 Issuer` / `ClusterIssuer`: condition Ready (a CA issuer only once its key
 *   pair Secret exists);
 * - `cert-manager.io/v1 Certificate`: once its issuer is Ready, writes the `spec.secretName` Secret
 *   (kubernetes.io/tls with tls.crt, tls.key, ca.crt) and sets condition Ready.
 *
 * Certificates are real X.509 certificates made with `openssl` (a CA issuer signs with its key
 * pair), or PEM-shaped dummies when openssl is not available. Any object annotated
 * `test.23ke.io/fail: "<message>"` reports that failure instead (state Error / Ready False).
 *
 * Kinds the cluster does not serve (CRDs not installed yet) are skipped and looked up again on
 * the next pass. Never logs object contents: Secrets hold key material.
 */
import { execFile } from "node:child_process";
import { generateKeyPair, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile, readFile, chmod } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { KubeApiError, KubeNotFoundError, type KubeClient, type KubeObject } from "#product/kube/client.js";
import { startPollingLoop } from "./polling-loop.js";

const run = promisify(execFile);

/** Annotation that makes a fake controller report a failure with the annotation's value as message. */
export const FAIL_ANNOTATION = "test.23ke.io/fail";
/** Annotation on Secrets written here: which object generation they were issued for. */
const ISSUED_FOR_ANNOTATION = "test.23ke.io/issued-for";
const FIELD_MANAGER = "23ke-fake-controllers";

export interface FakeControllersOptions {
  client: KubeClient;
  /** Pause between passes. @default 300 */
  intervalMs?: number;
  /** Stops the loop when aborted (as does `stop()`). */
  signal?: AbortSignal;
  /** Issue real certificates with openssl when it is on PATH. @default true */
  realCertificates?: boolean;
  /** Namespace of the CA Secrets of ClusterIssuers (cert-manager's --cluster-resource-namespace). @default "kube-system" */
  clusterResourceNamespace?: string;
  /** Told about a failed pass; the loop goes on. @default ignore */
  onError?: (error: unknown) => void;
}

export interface FakeControllers {
  /** Ends the loop after the pass in progress. */
  stop(): Promise<void>;
  /** Completed passes (for tests that want to wait for one more pass). */
  readonly passes: number;
}

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };
type Secret = KubeObject & { type?: string; data?: Record<string, string> };

interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

interface KindHandler {
  apiVersion: string;
  kind: string;
  reconcile(ctx: Context, obj: Obj): Promise<void>;
}

interface Context {
  client: KubeClient;
  realCertificates: boolean;
  clusterResourceNamespace: string;
  now: () => Date;
}

export function startFakeControllers(opts: FakeControllersOptions): FakeControllers {
  const ctxPromise = (async (): Promise<Context> => ({
    client: opts.client,
    realCertificates: (opts.realCertificates ?? true) && (await opensslAvailable()),
    clusterResourceNamespace: opts.clusterResourceNamespace ?? "kube-system",
    now: () => new Date(),
  }))();
  return startPollingLoop(async () => await reconcileAll(await ctxPromise), {
    intervalMs: opts.intervalMs ?? 300,
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    ...(opts.onError === undefined ? {} : { onError: opts.onError }),
  });
}

/** One pass over every kind; issuers come before the certificates that need them. */
async function reconcileAll(ctx: Context): Promise<void> {
  const errors: unknown[] = [];
  for (const h of HANDLERS) {
    let objs: Obj[];
    try {
      objs = await ctx.client.list<Obj>(h.apiVersion, h.kind);
    } catch (e) {
      if (e instanceof KubeNotFoundError) continue; // CRD not installed (yet)
      // A CRD that was just created answers 429 "storage is (re)initializing" for a moment.
      if (e instanceof KubeApiError && e.code === 429) continue;
      if (e instanceof KubeApiError && e.code === 404) {
        ctx.client.forgetDiscovery(); // CRD removed since it was discovered
        continue;
      }
      errors.push(e);
      continue;
    }
    for (const o of objs) {
      if (o.metadata.deletionTimestamp !== undefined) continue;
      try {
        await h.reconcile(ctx, o);
      } catch (e) {
        if (e instanceof KubeApiError && (e.code === 404 || e.code === 409)) continue; // deleted or changed meanwhile
        errors.push(e);
      }
    }
  }
  if (errors.length > 0)
    throw new AggregateError(errors, `fake controllers: ${errors.length} object(s) failed in this pass`);
}

const HANDLERS: KindHandler[] = [
  { apiVersion: "dns.gardener.cloud/v1alpha1", kind: "DNSProvider", reconcile: reconcileDnsProvider },
  { apiVersion: "cert.gardener.cloud/v1alpha1", kind: "Issuer", reconcile: reconcileGardenerIssuer },
  {
    apiVersion: "cert.gardener.cloud/v1alpha1",
    kind: "Certificate",
    reconcile: reconcileGardenerCertificate,
  },
  { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", reconcile: reconcileCertManagerIssuer },
  { apiVersion: "cert-manager.io/v1", kind: "Issuer", reconcile: reconcileCertManagerIssuer },
  { apiVersion: "cert-manager.io/v1", kind: "Certificate", reconcile: reconcileCertManagerCertificate },
];

// --- gardener-style status (state / message) -----------------------------------------------

function failure(obj: Obj): string | undefined {
  return obj.metadata.annotations?.[FAIL_ANNOTATION];
}

/** Merge-patches status when any of `desired`'s fields differ from what is stored. */
async function patchIfChanged(ctx: Context, obj: Obj, desired: Record<string, unknown>): Promise<void> {
  const current = obj.status ?? {};
  // null in a merge patch deletes the field, so null and absent are the same here.
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  const changed = Object.entries(desired).some(([k, v]) => !same(current[k], v));
  if (changed) await ctx.client.patchStatus(obj, desired);
}

async function reconcileDnsProvider(ctx: Context, obj: Obj): Promise<void> {
  const gen = obj.metadata.generation;
  const fail = failure(obj);
  if (fail !== undefined) {
    await patchIfChanged(ctx, obj, { state: "Error", message: fail, observedGeneration: gen });
    return;
  }
  const ref = obj.spec?.secretRef as { name?: string; namespace?: string } | undefined;
  if (ref?.name !== undefined) {
    const ns = ref.namespace ?? obj.metadata.namespace;
    if ((await ctx.client.get("v1", "Secret", ref.name, ns)) === undefined) {
      await patchIfChanged(ctx, obj, {
        state: "Error",
        message: `cannot get secret ${ns ?? ""}/${ref.name}: not found`,
        observedGeneration: gen,
      });
      return;
    }
  }
  const include = ((obj.spec?.domains as { include?: string[] } | undefined)?.include ?? []).slice();
  await patchIfChanged(ctx, obj, {
    state: "Ready",
    message: "provider operational",
    observedGeneration: gen,
    domains: { included: include },
  });
}

async function reconcileGardenerIssuer(ctx: Context, obj: Obj): Promise<void> {
  const gen = obj.metadata.generation;
  const fail = failure(obj);
  if (fail !== undefined) {
    await patchIfChanged(ctx, obj, { state: "Error", message: fail, observedGeneration: gen });
    return;
  }
  const type = obj.spec?.acme !== undefined ? "acme" : obj.spec?.ca !== undefined ? "ca" : "selfSigned";
  await patchIfChanged(ctx, obj, {
    state: "Ready",
    message: null,
    observedGeneration: gen,
    type,
    requestsPerDayQuota: 10000,
  });
}

async function reconcileGardenerCertificate(ctx: Context, obj: Obj): Promise<void> {
  const gen = obj.metadata.generation;
  const fail = failure(obj);
  if (fail !== undefined) {
    await patchIfChanged(ctx, obj, { state: "Error", message: fail, observedGeneration: gen });
    return;
  }
  const spec = obj.spec ?? {};
  const issuerRef = spec.issuerRef as { name?: string; namespace?: string } | undefined;
  if (issuerRef?.name !== undefined) {
    const issuer = await ctx.client.get<Obj>(
      "cert.gardener.cloud/v1alpha1",
      "Issuer",
      issuerRef.name,
      issuerRef.namespace ?? obj.metadata.namespace,
    );
    if (issuer?.status?.state === "Error") {
      const why = typeof issuer.status.message === "string" ? `: ${issuer.status.message}` : "";
      await patchIfChanged(ctx, obj, {
        state: "Error",
        message: `issuer ${issuer.metadata.namespace ?? ""}/${issuer.metadata.name} is not ready${why}`,
        observedGeneration: gen,
      });
      return;
    }
  }
  const commonName = typeof spec.commonName === "string" ? spec.commonName : undefined;
  const dnsNames = Array.isArray(spec.dnsNames) ? (spec.dnsNames as string[]) : [];
  const ref = spec.secretRef as { name?: string; namespace?: string } | undefined;
  const secretName = ref?.name ?? (typeof spec.secretName === "string" ? spec.secretName : undefined);
  const days = 90;
  if (secretName !== undefined) {
    const ns = ref?.namespace ?? obj.metadata.namespace ?? "default";
    const labels = (spec.secretLabels as Record<string, string> | undefined) ?? {};
    await ensureTlsSecret(ctx, obj, { name: secretName, namespace: ns, labels, annotations: {} }, () =>
      issue(
        ctx,
        {
          commonName,
          dnsNames,
          ipAddresses: [],
          organizations: [],
          isCA: false,
          usages: [],
          days,
          rsa: false,
        },
        undefined,
      ),
    );
  }
  await patchIfChanged(ctx, obj, {
    state: "Ready",
    message: "certificate (re)issued",
    observedGeneration: gen,
    commonName: commonName ?? null,
    dnsNames: dnsNames.length > 0 ? dnsNames : null,
  });
}

// --- cert-manager (conditions) ---------------------------------------------------------------

async function setReadyCondition(
  ctx: Context,
  obj: Obj,
  status: "True" | "False",
  reason: string,
  message: string,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const gen = obj.metadata.generation;
  const conditions = (obj.status?.conditions as Condition[] | undefined) ?? [];
  const ready = conditions.find((c) => c.type === "Ready");
  const extraChanged = Object.entries(extra).some(
    ([k, v]) => obj.status?.[k] === undefined && v !== undefined,
  );
  if (
    ready?.status === status &&
    ready.reason === reason &&
    ready.message === message &&
    ready.observedGeneration === gen &&
    !extraChanged
  )
    return;
  const lastTransitionTime =
    ready?.status === status && ready.lastTransitionTime !== undefined
      ? ready.lastTransitionTime
      : ctx
          .now()
          .toISOString()
          .replace(/\.\d{3}Z$/, "Z");
  const next: Condition = {
    type: "Ready",
    status,
    reason,
    message,
    lastTransitionTime,
    ...(gen === undefined ? {} : { observedGeneration: gen }),
  };
  await ctx.client.patchStatus(obj, {
    ...extra,
    conditions: [...conditions.filter((c) => c.type !== "Ready"), next],
  });
}

function isReady(obj: Obj | undefined): boolean {
  const conditions = (obj?.status?.conditions as Condition[] | undefined) ?? [];
  return conditions.some((c) => c.type === "Ready" && c.status === "True");
}

async function reconcileCertManagerIssuer(ctx: Context, obj: Obj): Promise<void> {
  const fail = failure(obj);
  if (fail !== undefined) {
    await setReadyCondition(ctx, obj, "False", "ErrInitIssuer", fail);
    return;
  }
  const spec = obj.spec ?? {};
  if (spec.ca !== undefined) {
    const secretName = (spec.ca as { secretName?: string }).secretName ?? "";
    const ns =
      obj.kind === "ClusterIssuer" ? ctx.clusterResourceNamespace : (obj.metadata.namespace ?? "default");
    const secret = await ctx.client.get<Secret>("v1", "Secret", secretName, ns);
    if (
      secret?.data?.["tls.crt"] === undefined ||
      secret.data["tls.key"] === undefined ||
      secret.data["tls.crt"] === ""
    ) {
      await setReadyCondition(
        ctx,
        obj,
        "False",
        "ErrGetKeyPair",
        `Error getting keypair for CA issuer: secret "${secretName}" not found or incomplete`,
      );
      return;
    }
    await setReadyCondition(ctx, obj, "True", "KeyPairVerified", "Signing CA verified");
    return;
  }
  if (spec.acme !== undefined) {
    await setReadyCondition(
      ctx,
      obj,
      "True",
      "ACMEAccountRegistered",
      "The ACME account was registered with the ACME server",
    );
    return;
  }
  await setReadyCondition(ctx, obj, "True", "IsReady", "");
}

async function reconcileCertManagerCertificate(ctx: Context, obj: Obj): Promise<void> {
  const fail = failure(obj);
  if (fail !== undefined) {
    await setReadyCondition(ctx, obj, "False", "Failed", fail);
    return;
  }
  const spec = obj.spec ?? {};
  const ns = obj.metadata.namespace ?? "default";
  const ref = (spec.issuerRef as { name?: string; kind?: string; group?: string } | undefined) ?? {};
  const issuerKind = ref.kind ?? "Issuer";
  const issuerGroup = ref.group ?? "cert-manager.io";
  let signer: { crt: string; key: string } | undefined;
  if (issuerGroup === "cert-manager.io") {
    const issuer =
      ref.name === undefined
        ? undefined
        : await ctx.client.get<Obj>(
            "cert-manager.io/v1",
            issuerKind,
            ref.name,
            issuerKind === "ClusterIssuer" ? undefined : ns,
          );
    if (issuer === undefined || !isReady(issuer)) {
      await setReadyCondition(
        ctx,
        obj,
        "False",
        "IssuerNotReady",
        `Issuing certificate as ${issuerKind} "${ref.name ?? ""}" does not exist or is not ready`,
      );
      return;
    }
    const ca = (issuer.spec?.ca as { secretName?: string } | undefined)?.secretName;
    if (ca !== undefined) {
      const caNs = issuerKind === "ClusterIssuer" ? ctx.clusterResourceNamespace : ns;
      const caSecret = await ctx.client.get<Secret>("v1", "Secret", ca, caNs);
      const crt = caSecret?.data?.["tls.crt"];
      const key = caSecret?.data?.["tls.key"];
      if (crt === undefined || key === undefined) {
        await setReadyCondition(
          ctx,
          obj,
          "False",
          "IssuerNotReady",
          `CA key pair "${caNs}/${ca}" of ${issuerKind} "${ref.name ?? ""}" not found`,
        );
        return;
      }
      signer = { crt: fromB64(crt), key: fromB64(key) };
    }
  }
  const secretName = typeof spec.secretName === "string" ? spec.secretName : `${obj.metadata.name}-tls`;
  const commonName = typeof spec.commonName === "string" ? spec.commonName : undefined;
  const dnsNames = Array.isArray(spec.dnsNames) ? (spec.dnsNames as string[]) : [];
  const ipAddresses = Array.isArray(spec.ipAddresses) ? (spec.ipAddresses as string[]) : [];
  const organizations = (
    (spec.subject as { organizations?: string[] } | undefined)?.organizations ?? []
  ).slice();
  const usages = Array.isArray(spec.usages)
    ? (spec.usages as string[])
    : ["digital signature", "key encipherment"];
  const days = durationDays(typeof spec.duration === "string" ? spec.duration : "2160h");
  const algorithm = (spec.privateKey as { algorithm?: string } | undefined)?.algorithm ?? "RSA";
  const template =
    (spec.secretTemplate as
      { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined) ?? {};
  const annotations = {
    ...(template.annotations ?? {}),
    "cert-manager.io/certificate-name": obj.metadata.name,
    "cert-manager.io/issuer-name": ref.name ?? "",
    "cert-manager.io/issuer-kind": issuerKind,
    "cert-manager.io/issuer-group": issuerGroup,
    "cert-manager.io/common-name": commonName ?? "",
    "cert-manager.io/alt-names": dnsNames.join(","),
  };
  const labels = { ...(template.labels ?? {}), "controller.cert-manager.io/fao": "true" };
  const issued = await ensureTlsSecret(
    ctx,
    obj,
    { name: secretName, namespace: ns, labels, annotations },
    () =>
      issue(
        ctx,
        {
          commonName,
          dnsNames,
          ipAddresses,
          organizations,
          isCA: spec.isCA === true,
          usages,
          days,
          rsa: algorithm.toUpperCase() === "RSA",
        },
        signer,
      ),
  );
  const notAfter = issued.notAfter ?? new Date(ctx.now().getTime() + days * 86_400_000);
  const notBefore = issued.notBefore ?? ctx.now();
  const renewal = new Date(notAfter.getTime() - (notAfter.getTime() - notBefore.getTime()) / 3);
  await setReadyCondition(ctx, obj, "True", "Ready", "Certificate is up to date and has not expired", {
    notBefore: iso(notBefore),
    notAfter: iso(notAfter),
    renewalTime: iso(renewal),
    revision: 1,
  });
}

// --- Secrets and certificates --------------------------------------------------------------

interface SecretTarget {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/**
 * Writes the certificate's Secret unless it already holds a certificate issued for this object's
 * uid and generation. Keeps the type of a Secret created beforehand (for example by a chart).
 */
async function ensureTlsSecret(
  ctx: Context,
  owner: Obj,
  target: SecretTarget,
  make: () => Promise<Issued>,
): Promise<{ notBefore?: Date; notAfter?: Date }> {
  const issuedFor = `${owner.metadata.uid ?? ""}/${owner.metadata.generation ?? 0}`;
  const existing = await ctx.client.get<Secret>("v1", "Secret", target.name, target.namespace);
  const a = existing?.metadata.annotations ?? {};
  if (
    existing !== undefined &&
    a[ISSUED_FOR_ANNOTATION] === issuedFor &&
    (existing.data?.["tls.crt"] ?? "") !== ""
  ) {
    return datesOf(a);
  }
  const cert = await make();
  await ctx.client.apply(
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: target.name,
        namespace: target.namespace,
        labels: target.labels,
        annotations: {
          ...target.annotations,
          [ISSUED_FOR_ANNOTATION]: issuedFor,
          "test.23ke.io/not-before": iso(cert.notBefore),
          "test.23ke.io/not-after": iso(cert.notAfter),
        },
      },
      type: existing?.type ?? "kubernetes.io/tls",
      data: { "tls.crt": toB64(cert.crt), "tls.key": toB64(cert.key), "ca.crt": toB64(cert.ca) },
    },
    FIELD_MANAGER,
  );
  return { notBefore: cert.notBefore, notAfter: cert.notAfter };
}

function datesOf(a: Record<string, string>): { notBefore?: Date; notAfter?: Date } {
  const nb = a["test.23ke.io/not-before"];
  const na = a["test.23ke.io/not-after"];
  return {
    ...(nb === undefined ? {} : { notBefore: new Date(nb) }),
    ...(na === undefined ? {} : { notAfter: new Date(na) }),
  };
}

interface CertRequest {
  commonName: string | undefined;
  dnsNames: string[];
  ipAddresses: string[];
  organizations: string[];
  isCA: boolean;
  usages: string[];
  days: number;
  rsa: boolean;
}

interface Issued {
  crt: string;
  key: string;
  ca: string;
  notBefore: Date;
  notAfter: Date;
}

async function issue(
  ctx: Context,
  req: CertRequest,
  signer: { crt: string; key: string } | undefined,
): Promise<Issued> {
  const notBefore = new Date(Math.floor(ctx.now().getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + req.days * 86_400_000);
  const key = await newKey(req.rsa);
  if (!ctx.realCertificates) {
    const crt = dummyPem("CERTIFICATE");
    return { crt, key, ca: signer?.crt ?? crt, notBefore, notAfter };
  }
  const crt = await opensslCertificate(req, key, signer);
  return { crt, key, ca: signer?.crt ?? crt, notBefore, notAfter };
}

function newKey(rsa: boolean): Promise<string> {
  const enc = {
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  } as const;
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, _pub: string, priv: string): void =>
      err === null ? resolve(priv) : reject(err);
    if (rsa) generateKeyPair("rsa", { modulusLength: 2048, ...enc }, done);
    else generateKeyPair("ec", { namedCurve: "P-256", ...enc }, done);
  });
}

const KEY_USAGES: Record<string, string> = {
  "digital signature": "digitalSignature",
  "key encipherment": "keyEncipherment",
  "cert sign": "keyCertSign",
  "crl sign": "cRLSign",
  "content commitment": "nonRepudiation",
  "key agreement": "keyAgreement",
  "data encipherment": "dataEncipherment",
};
const EXT_KEY_USAGES: Record<string, string> = {
  "server auth": "serverAuth",
  "client auth": "clientAuth",
  "code signing": "codeSigning",
  "email protection": "emailProtection",
};

function dnValue(s: string): string {
  return s.replace(/[\r\n]/g, " ");
}

async function opensslCertificate(
  req: CertRequest,
  key: string,
  signer: { crt: string; key: string } | undefined,
): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "23ke-fake-pki-"));
  try {
    await chmod(dir, 0o700);
    const file = (n: string): string => path.join(dir, n);
    const keyUsage = req.isCA
      ? ["keyCertSign", "cRLSign", "digitalSignature"]
      : req.usages.map((u) => KEY_USAGES[u]).filter((u) => u !== undefined);
    const extKeyUsage = req.usages.map((u) => EXT_KEY_USAGES[u]).filter((u) => u !== undefined);
    const sans = [...req.dnsNames.map((d) => `DNS:${d}`), ...req.ipAddresses.map((i) => `IP:${i}`)];
    const cn = req.commonName ?? req.dnsNames[0] ?? "23ke-fake-certificate";
    const config = [
      "[req]",
      "distinguished_name = dn",
      "prompt = no",
      "[dn]",
      ...req.organizations.map((o, i) => `${i}.O = ${dnValue(o)}`),
      `CN = ${dnValue(cn)}`,
      "[ext]",
      `basicConstraints = critical, CA:${req.isCA ? "TRUE" : "FALSE"}`,
      ...(keyUsage.length > 0 ? [`keyUsage = critical, ${keyUsage.join(", ")}`] : []),
      ...(extKeyUsage.length > 0 ? [`extendedKeyUsage = ${extKeyUsage.join(", ")}`] : []),
      ...(sans.length > 0 ? [`subjectAltName = ${sans.join(", ")}`] : []),
      "subjectKeyIdentifier = hash",
      "",
    ].join("\n");
    await writeFile(file("openssl.cnf"), config, { mode: 0o600 });
    await writeFile(file("key.pem"), key, { mode: 0o600 });
    const days = String(Math.max(1, Math.ceil(req.days)));
    if (signer === undefined) {
      await run("openssl", [
        "req",
        "-x509",
        "-new",
        "-key",
        file("key.pem"),
        "-config",
        file("openssl.cnf"),
        "-extensions",
        "ext",
        "-days",
        days,
        "-out",
        file("crt.pem"),
      ]);
    } else {
      await writeFile(file("ca.pem"), signer.crt, { mode: 0o600 });
      await writeFile(file("ca-key.pem"), signer.key, { mode: 0o600 });
      await run("openssl", [
        "req",
        "-new",
        "-key",
        file("key.pem"),
        "-config",
        file("openssl.cnf"),
        "-out",
        file("csr.pem"),
      ]);
      await run("openssl", [
        "x509",
        "-req",
        "-in",
        file("csr.pem"),
        "-CA",
        file("ca.pem"),
        "-CAkey",
        file("ca-key.pem"),
        "-set_serial",
        `0x${randomBytes(16).toString("hex")}`,
        "-days",
        days,
        "-extfile",
        file("openssl.cnf"),
        "-extensions",
        "ext",
        "-out",
        file("crt.pem"),
      ]);
    }
    return await readFile(file("crt.pem"), "utf8");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function opensslAvailable(): Promise<boolean> {
  try {
    await run("openssl", ["version"]);
    return true;
  } catch {
    return false;
  }
}

function dummyPem(label: string): string {
  const body = randomBytes(96)
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .trimEnd();
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/** Go duration ("87600h", "2160h0m0s", "90m") to days; 90 days when unparsable. */
export function durationDays(d: string): number {
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s)/g;
  let seconds = 0;
  let matched = false;
  for (const m of d.matchAll(re)) {
    matched = true;
    const n = Number(m[1]);
    seconds += m[2] === "h" ? n * 3600 : m[2] === "m" ? n * 60 : m[2] === "s" ? n : n / 1000;
  }
  return matched && seconds > 0 ? seconds / 86_400 : 90;
}

function iso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function toB64(s: string): string {
  return Buffer.from(s, "utf8").toString("base64");
}

function fromB64(s: string): string {
  return Buffer.from(s, "base64").toString("utf8");
}
