/**
 * What `23ke run` and `23ke run --landscape` give the operator runtime (src/controller/
 * operator.ts) from the same flags: the schedule, the metrics address, leader election (on by
 * default with --in-cluster; the identity is the pod's name), the webhook receiver with its secret,
 * and the log (JSON or text) with the secrets it knows cut out. The two modes differ only in what a
 * pass is and what wakes the loop.
 */
import { hostname } from "node:os";
import { timingProblems } from "../../controller/leader-lease.js";
import type { OperatorOptions } from "../../controller/operator.js";
import {
  defaultLogFormat,
  operatorLogger,
  type LogFormat,
  type OperatorLog,
} from "../../controller/operator-log.js";
import { UsageError } from "../../errors/errors.js";
import type { KubeClient } from "../../kube/client.js";
import { ensureNamespace } from "../../reconcile/pass/ensure-namespace.js";
import type { CliContext } from "../context.js";
import { readWebhookSecret } from "./run-webhook-secret.js";

export const DEFAULT_WEBHOOK_ADDRESS = "127.0.0.1:9292";

/** The runtime's flags of `23ke run` (see program.ts). */
export interface RuntimeFlags {
  interval: number;
  requeue: number;
  backoffMax?: number;
  metricsAddress: string;
  inCluster?: boolean;
  /** Default: on with --in-cluster, off otherwise. */
  leaderElect?: boolean;
  leaderElectLeaseDuration: number;
  leaderElectRenewDeadline: number;
  leaderElectRetryPeriod: number;
  /** Default 127.0.0.1:9292, served only with a secret. */
  webhookAddress?: string;
  webhookSecretFile?: string;
  webhookSecret?: string;
  /** Default: text on a terminal, json otherwise. */
  logFormat?: LogFormat;
  systemNamespace: string;
}

/** Who this replica is in the leader Lease: the pod (POD_NAME, from the downward API), else host/pid. */
export function electionIdentity(env: NodeJS.ProcessEnv): string {
  const pod = env.POD_NAME ?? "";
  return pod !== "" ? pod : `${hostname()}/${process.pid}`;
}

function electionTimings(o: RuntimeFlags): {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
} {
  const t = {
    leaseDurationMs: o.leaderElectLeaseDuration * 1000,
    renewDeadlineMs: o.leaderElectRenewDeadline * 1000,
    retryPeriodMs: o.leaderElectRetryPeriod * 1000,
  };
  const problems = timingProblems(t);
  if (problems.length > 0)
    throw new UsageError(
      `--leader-elect-lease-duration, --leader-elect-renew-deadline, --leader-elect-retry-period: ${problems.join("; ")}`,
    );
  return t;
}

/** Checks the runtime's flags before anything is contacted; the log and its list of secrets. */
export function prepareRuntime(
  ctx: CliContext,
  o: RuntimeFlags,
): { log: OperatorLog; secrets: string[]; checked: CheckedFlags } {
  const leaderElect = o.leaderElect ?? o.inCluster === true;
  const timings = leaderElect ? electionTimings(o) : undefined;
  if (o.webhookSecretFile !== undefined && o.webhookSecret !== undefined)
    throw new UsageError("--webhook-secret-file and --webhook-secret exclude each other");
  const webhookWanted = o.webhookSecretFile !== undefined || o.webhookSecret !== undefined;
  if (o.webhookAddress !== undefined && !webhookWanted)
    throw new UsageError(
      "--webhook-address needs the secret that signs the notifications: --webhook-secret-file FILE or --webhook-secret NAME",
    );
  const secrets: string[] = [];
  const log = operatorLogger(ctx.stdout, o.logFormat ?? defaultLogFormat(ctx.isTTY), () => secrets);
  return { log, secrets, checked: { timings, webhookWanted } };
}

interface CheckedFlags {
  timings: ReturnType<typeof electionTimings> | undefined;
  webhookWanted: boolean;
}

/**
 * runOperator's options but the pass and the trigger: reads the webhook secret (from its file or
 * Secret, through `client`) and adds it to `secrets`.
 */
export async function runtimeOptions(
  ctx: CliContext,
  o: RuntimeFlags,
  prepared: { log: OperatorLog; secrets: string[]; checked: CheckedFlags },
  client: KubeClient,
): Promise<Omit<OperatorOptions, "pass" | "inputChanged">> {
  const { timings, webhookWanted } = prepared.checked;
  const secret = webhookWanted ? await readWebhookSecret(o, client, o.systemNamespace) : undefined;
  if (secret !== undefined) prepared.secrets.push(secret.toString("utf8"));
  return {
    log: prepared.log,
    signal: ctx.signal,
    schedule: {
      intervalMs: o.interval * 1000,
      requeueMs: o.requeue * 1000,
      ...(o.backoffMax === undefined ? {} : { backoffMaxMs: o.backoffMax * 1000 }),
    },
    metricsAddress: o.metricsAddress,
    ...(timings === undefined
      ? {}
      : {
          election: {
            ...timings,
            client,
            namespace: o.systemNamespace,
            identity: electionIdentity(ctx.env),
            ensureNamespace: () => ensureNamespace(client, o.systemNamespace),
          },
        }),
    ...(secret === undefined
      ? {}
      : { webhook: { address: o.webhookAddress ?? DEFAULT_WEBHOOK_ADDRESS, secret } }),
  };
}
