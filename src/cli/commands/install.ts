/**
 * `23ke install`: bootstraps the operator onto a base cluster: the system namespace, the
 * Landscape CRD, the 23ke-config Secret from -f (validated first), the repository credentials,
 * the operator from its chart (ServiceAccount, RBAC, Deployment, Service) and the Landscape;
 * then waits until the Landscape is Ready, showing each component's state as the operator
 * reports it. Idempotent: a second install applies the same objects and upgrades the release.
 * `--dry-run` prints what it would create, Secret data masked, and contacts no cluster.
 * `--webhook-secret-file` turns the operator's webhook receiver on: Secret 23ke-webhook (key
 * `token`) and the chart's webhook.secretName; a later install without the flag keeps it.
 */
import path from "node:path";
import { DEFAULT_LANDSCAPE_NAME } from "../../api/landscape.js";
import { formatProblem, UsageError } from "../../errors/errors.js";
import { findHelm } from "../../helm/helm-binary.js";
import { HelmDriver } from "../../helm/helm-driver.js";
import { applyInstall } from "../../install/install-apply.js";
import {
  imageValues,
  operatorValues,
  readInstallConfig,
  readRepositoryCredentials,
} from "../../install/install-inputs.js";
import {
  describeInstall,
  INSTALLED_BY,
  installPlan,
  WEBHOOK_SECRET,
  type InstallRequest,
} from "../../install/install-plan.js";
import { waitLandscapeReady, type LandscapeOutcome } from "../../install/wait-landscape.js";
import { resolveBaseAccess } from "../../landscape/cluster-access.js";
import { LineProgress, LiveProgress } from "../../status/progress.js";
import { print, printErr, type CliContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { baseAccessOf } from "../landscape.js";
import { projectRoot } from "../paths.js";
import { WaitTimeoutError } from "../../util/wait.js";
import type { KubeClient } from "../../kube/client.js";
import { readWebhookSecretFile } from "./run-webhook-secret.js";

export interface InstallOptions {
  file?: string;
  landscape: string;
  repository?: string;
  ref?: string;
  path?: string;
  interval?: string;
  sshKeyFile?: string;
  tokenFile?: string;
  catalog?: string;
  image?: string;
  operatorValues?: string;
  webhookSecretFile?: string;
  dryRun?: boolean;
  wait: boolean;
  timeout: number;
  systemNamespace: string;
  kubeconfig?: string;
  context?: string;
  inCluster?: boolean;
  helm?: string;
}

export { DEFAULT_LANDSCAPE_NAME };

/** Whether an earlier `23ke install --webhook-secret-file` wrote Secret 23ke-webhook. */
async function installedWebhookSecret(client: KubeClient, namespace: string): Promise<boolean> {
  const s = await client.get("v1", "Secret", WEBHOOK_SECRET, namespace);
  const label = "app.kubernetes.io/managed-by";
  return s !== undefined && s.metadata.labels?.[label] === INSTALLED_BY[label];
}

export async function installCommand(ctx: CliContext, o: InstallOptions): Promise<number> {
  const repoFlags = [o.ref, o.path, o.interval, o.sshKeyFile, o.tokenFile].some((v) => v !== undefined);
  if (o.repository === undefined && repoFlags)
    throw new UsageError("--ref, --path, --interval, --ssh-key-file and --token-file need --repository");
  if (o.image !== undefined) imageValues(o.image);
  const config = o.file === undefined ? undefined : readInstallConfig(o.file);
  for (const w of config?.warnings ?? []) printErr(ctx, `warning: ${formatProblem(w)}`);
  const credentials = readRepositoryCredentials(o);
  const webhook = o.webhookSecretFile === undefined ? undefined : readWebhookSecretFile(o.webhookSecretFile);
  const request: InstallRequest = {
    systemNamespace: o.systemNamespace,
    landscape: o.landscape,
    ...(config === undefined ? {} : { config: config.values }),
    ...(o.repository === undefined
      ? {}
      : {
          repository: {
            url: o.repository,
            ...(o.ref === undefined ? {} : { ref: o.ref }),
            ...(o.path === undefined ? {} : { path: o.path }),
            ...(o.interval === undefined ? {} : { interval: o.interval }),
            ...(credentials === undefined ? {} : { credentials }),
          },
        }),
    ...(o.catalog === undefined ? {} : { catalog: o.catalog }),
    chartDir: path.join(projectRoot, "charts", "23ke-operator"),
    operatorValues: operatorValues(o),
    ...(webhook === undefined ? {} : { webhookSecret: { value: webhook.toString("utf8") } }),
  };
  let plan = installPlan(request);
  const helm = new HelmDriver({ helm: findHelm(o.helm, ctx.env), env: ctx.env });
  if (o.dryRun === true) {
    const manifest = await helm.template({
      release: plan.release.name,
      namespace: plan.release.namespace,
      chart: plan.release.chart,
      values: plan.release.values,
    });
    ctx.stdout.write(describeInstall(plan, manifest));
    if (config === undefined)
      printErr(ctx, "no -f: the 23ke-config Secret in the cluster would be used as it is");
    return ExitCode.ok;
  }

  const access = resolveBaseAccess(baseAccessOf(o, ctx.env), ctx.env);
  try {
    if (
      config === undefined &&
      (await access.client.get("v1", "Secret", "23ke-config", o.systemNamespace)) === undefined
    )
      throw new UsageError(`no 23ke-config Secret in ${o.systemNamespace}: give the config with -f FILE`);
    let webhookOn = webhook !== undefined;
    if (!webhookOn && (await installedWebhookSecret(access.client, o.systemNamespace))) {
      webhookOn = true;
      plan = installPlan({ ...request, webhookSecret: "keep" });
      print(
        ctx,
        `webhook receiver kept: Secret ${o.systemNamespace}/${WEBHOOK_SECRET} of an earlier install`,
      );
    }
    await applyInstall(plan, {
      client: access.client,
      helm,
      kubeconfig: access.kubeconfig,
      timeoutMs: o.timeout * 1000,
      signal: ctx.signal,
      onStep: (m) => print(ctx, m),
    });
    const where = `${o.systemNamespace}/${o.landscape}`;
    if (webhookOn)
      print(
        ctx,
        `webhook receiver: POST /hook on the operator Service's port "webhook", signed (X-Hub-Signature-256: sha256=HMAC) with the secret in Secret ${o.systemNamespace}/${WEBHOOK_SECRET}`,
      );
    if (!o.wait) {
      print(
        ctx,
        `installed; not waiting for Landscape ${where} (kubectl -n ${o.systemNamespace} get landscape)`,
      );
      return ExitCode.ok;
    }
    print(ctx, `waiting up to ${o.timeout}s for Landscape ${where} to become Ready`);
    const progress = ctx.isTTY
      ? new LiveProgress((s) => ctx.stdout.write(s), (ctx.stdout as { columns?: number }).columns ?? 120)
      : new LineProgress((s) => ctx.stdout.write(s));
    let outcome: LandscapeOutcome | WaitTimeoutError;
    try {
      outcome = await waitLandscapeReady({
        client: access.client,
        namespace: o.systemNamespace,
        name: o.landscape,
        timeoutMs: o.timeout * 1000,
        signal: ctx.signal,
        onProgress: (p) => progress.update(p),
      }).catch((e: unknown) => {
        if (e instanceof WaitTimeoutError) return e;
        throw e;
      });
    } finally {
      progress.finish();
    }
    if (outcome instanceof WaitTimeoutError) {
      print(
        ctx,
        `Landscape ${where} did not become Ready within ${o.timeout}s: ${outcome.lastObservation ?? "no status"}`,
      );
      return ExitCode.failed;
    }
    if (outcome.ready) {
      print(ctx, `Landscape ${where} is Ready`);
      return ExitCode.ok;
    }
    print(ctx, `Landscape ${where} is Stalled: ${outcome.stalled.reason}: ${outcome.stalled.message}`);
    return ExitCode.failed;
  } finally {
    access.close();
  }
}
