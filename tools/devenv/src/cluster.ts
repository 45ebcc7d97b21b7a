/**
 * A real Kubernetes control plane on loopback, built by tools/testenv/build.sh: etcd and
 * kube-apiserver, optionally kube-controller-manager, kube-scheduler and kwok with simulated
 * Nodes (so Deployments, StatefulSets and DaemonSets become ready without a kubelet).
 *
 * Safety: every component listens on 127.0.0.1 only. The service range and kwok's pod range lie
 * in 127.0.0.0/8, so even a mistaken dial of a Service or Pod address stays on this machine.
 * Nothing here registers webhooks, APIServices or conversion webhooks.
 */
import { randomBytes, generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { KubeClient } from "#product/kube/client.js";
import { WaitTimeoutError, waitFor } from "#product/util/wait.js";
import type { ProcessGroup } from "./processes.js";
import { kwokStagesFile, type ReadinessProfile } from "./readiness-profile.js";
import { freePort, tailLog, type Started } from "./processes.js";

export interface ClusterOptions {
  /** Name used in file names and messages, e.g. "base" or "virtual". */
  name: string;
  /** Directory for data, certificates, kubeconfig and logs (created). */
  dir: string;
  /** Directory holding the built binaries (tools/testenv/bin). */
  binDir: string;
  /** Also run kube-controller-manager, kube-scheduler and kwok with this many Nodes. @default 0 */
  nodes?: number;
  group: ProcessGroup;
  /** Time limit for each component to become ready. @default 60000 */
  startTimeoutMs?: number;
  /** How fast the simulated nodes make Pods Ready (./readiness-profile.ts). @default "fast" */
  readiness?: ReadinessProfile;
}

export interface Cluster {
  name: string;
  dir: string;
  kubeconfigPath: string;
  apiPort: number;
  etcdPort: number;
  client: KubeClient;
}

/** Raised when a component does not start; names the component and its log. */
export class StartError extends Error {
  constructor(component: string, logFile: string, why: string) {
    super(`${component} did not start: ${why}\n  log: ${logFile}\n${indent(tailLog(logFile, 10))}`);
    this.name = "StartError";
  }
}

function indent(s: string): string {
  return s
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
}

function binary(binDir: string, name: string): string {
  const p = path.join(binDir, name);
  if (!existsSync(p)) {
    throw new Error(`${name} is not built: ${p} is missing; run 'bash tools/testenv/build.sh' first`);
  }
  return p;
}

async function ready(
  s: Started,
  what: string,
  timeoutMs: number,
  probe: () => Promise<boolean>,
): Promise<void> {
  try {
    await waitFor(
      async () => {
        if (s.exited !== undefined) {
          throw new StartError(
            s.name,
            s.logFile,
            `exited (code ${s.exited.code ?? "none"}, signal ${s.exited.signal ?? "none"})`,
          );
        }
        return (await probe().catch(() => false)) ? { done: true, value: undefined } : { done: false };
      },
      { what, timeoutMs, intervalMs: 100 },
    );
  } catch (e) {
    if (e instanceof WaitTimeoutError) throw new StartError(s.name, s.logFile, e.message);
    throw e;
  }
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const { name, dir, binDir, group } = opts;
  const timeout = opts.startTimeoutMs ?? 60_000;
  mkdirSync(path.join(dir, "pki"), { recursive: true });
  const log = (c: string): string => path.join(dir, `${c}.log`);

  // etcd
  const etcdPort = await freePort();
  const peerPort = await freePort();
  const etcd = group.start(
    `${name}-etcd`,
    binary(binDir, "etcd"),
    [
      `--name=${name}`,
      `--data-dir=${path.join(dir, "etcd")}`,
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=${name}=http://127.0.0.1:${peerPort}`,
      "--listen-metrics-urls=",
      "--unsafe-no-fsync=true",
      "--log-level=warn",
    ],
    log("etcd"),
  );
  await ready(
    etcd,
    `etcd of ${name} healthy`,
    timeout,
    async () => (await fetch(`http://127.0.0.1:${etcdPort}/health`)).ok,
  );

  // kube-apiserver: static token for the admin, its own self-signed serving certificate.
  const token = randomBytes(24).toString("hex");
  writeFileSync(path.join(dir, "tokens.csv"), `${token},admin,admin-uid,"system:masters"\n`, { mode: 0o600 });
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  writeFileSync(path.join(dir, "pki", "sa.key"), privateKey, { mode: 0o600 });
  writeFileSync(path.join(dir, "pki", "sa.pub"), publicKey);
  const apiPort = await freePort();
  const api = group.start(
    `${name}-kube-apiserver`,
    binary(binDir, "kube-apiserver"),
    [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      `--cert-dir=${path.join(dir, "pki")}`,
      `--secure-port=${apiPort}`,
      "--bind-address=127.0.0.1",
      "--service-cluster-ip-range=127.64.0.0/16",
      "--allow-privileged=true",
      "--authorization-mode=RBAC",
      `--token-auth-file=${path.join(dir, "tokens.csv")}`,
      `--service-account-issuer=https://127.0.0.1:${apiPort}/`,
      `--service-account-key-file=${path.join(dir, "pki", "sa.pub")}`,
      `--service-account-signing-key-file=${path.join(dir, "pki", "sa.key")}`,
      "--disable-admission-plugins=ServiceAccount",
      "--enable-priority-and-fairness=false",
      "--profiling=false",
    ],
    log("kube-apiserver"),
  );
  const crt = path.join(dir, "pki", "apiserver.crt");
  await ready(api, `serving certificate of ${name}`, timeout, () => Promise.resolve(existsSync(crt)));
  const kubeconfigPath = path.join(dir, "kubeconfig");
  writeFileSync(kubeconfigPath, kubeconfig(name, apiPort, readFileSync(crt), token), { mode: 0o600 });
  const client = KubeClient.fromFile(kubeconfigPath, name, { requestTimeoutMs: 5000 });
  await ready(api, `kube-apiserver of ${name} ready`, timeout, async () => {
    const r = await client.request("GET", "/readyz");
    return r.status === 200;
  });

  const cluster: Cluster = { name, dir, kubeconfigPath, apiPort, etcdPort, client };
  if ((opts.nodes ?? 0) > 0) await startNodeSimulation(cluster, opts, log);
  return cluster;
}

function kubeconfig(name: string, port: number, ca: Buffer, token: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: ${name}
  cluster:
    server: https://127.0.0.1:${port}
    certificate-authority-data: ${ca.toString("base64")}
users:
- name: ${name}-admin
  user:
    token: ${token}
contexts:
- name: ${name}
  context:
    cluster: ${name}
    user: ${name}-admin
    namespace: default
current-context: ${name}
`;
}

async function startNodeSimulation(
  c: Cluster,
  opts: ClusterOptions,
  log: (c: string) => string,
): Promise<void> {
  const { binDir, group, name } = opts;
  const kc = `--kubeconfig=${c.kubeconfigPath}`;
  const kcm = group.start(
    `${name}-kube-controller-manager`,
    binary(binDir, "kube-controller-manager"),
    [
      kc,
      "--secure-port=0",
      "--leader-elect=false",
      `--service-account-private-key-file=${path.join(c.dir, "pki", "sa.key")}`,
      `--root-ca-file=${path.join(c.dir, "pki", "apiserver.crt")}`,
      "--controllers=*,-nodeipam,-service-lb-controller,-route,-cloud-node-lifecycle",
      "--concurrent-deployment-syncs=10",
      "--concurrent-replicaset-syncs=10",
      "--concurrent-statefulset-syncs=10",
    ],
    log("kube-controller-manager"),
  );
  const sched = group.start(
    `${name}-kube-scheduler`,
    binary(binDir, "kube-scheduler"),
    [kc, "--secure-port=0", "--leader-elect=false"],
    log("kube-scheduler"),
  );
  const kwok = group.start(
    `${name}-kwok`,
    binary(binDir, "kwok"),
    [
      kc,
      `--config=${kwokStagesFile(opts.readiness ?? "fast", binary(binDir, "kwok-stages.yaml"), path.join(c.dir, "kwok-stages-realistic.yaml"))}`,
      "--manage-all-nodes=true",
      "--node-lease-duration-seconds=40",
      "--cidr=127.128.0.0/10",
      "--node-ip=127.0.0.1",
    ],
    log("kwok"),
  );
  const count = opts.nodes ?? 0;
  for (let i = 0; i < count; i++) {
    const nodeName = `kwok-node-${i}`;
    await c.client.apply(
      {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
          name: nodeName,
          annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
          labels: {
            "kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64",
            "kubernetes.io/hostname": nodeName,
            type: "kwok",
          },
        },
        spec: { providerID: `kwok://${nodeName}` },
      },
      "23ke-devenv",
    );
  }
  const timeout = opts.startTimeoutMs ?? 60_000;
  await ready(kwok, `${count} kwok Node(s) of ${name} Ready`, timeout, async () => {
    const nodes = await c.client.list("v1", "Node");
    const readyCount = nodes.filter((n) =>
      ((n as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? []).some(
        (cond) => cond.type === "Ready" && cond.status === "True",
      ),
    ).length;
    return readyCount >= count;
  });
  // The controller manager and scheduler have no port to probe (serving is off); they must at
  // least still be running, and the default ServiceAccount must appear (serviceaccount controller).
  await ready(kcm, `kube-controller-manager of ${name} working`, timeout, async () => {
    if (sched.exited !== undefined) throw new StartError(sched.name, sched.logFile, "exited");
    return (await c.client.get("v1", "ServiceAccount", "default", "default")) !== undefined;
  });
}
