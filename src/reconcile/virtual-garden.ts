/**
 * Access to the virtual garden. Its kubeconfig comes from a Secret in the base cluster (default
 * `gardener-internal-kubeconfig`, key `value`, written by the kube-apiserver component), or from a
 * file named by the operator for runs from outside the cluster and for tests. Components that
 * target the virtual garden wait, bounded, until it answers.
 */
import { Reason } from "../status/reasons.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { WaitingError } from "../errors/errors.js";
import { KubeClient, type KubeObject } from "../kube/client.js";
import { sleep } from "../util/wait.js";

export interface VirtualGardenOptions {
  base: KubeClient;
  systemNamespace: string;
  /** A kubeconfig file to use instead of the Secret. */
  kubeconfigFile?: string;
  /** The namespace of the Secret in the base cluster. @default the system namespace */
  secretNamespace?: string;
  /** @default gardener-internal-kubeconfig */
  secretName?: string;
  /** @default value */
  secretKey?: string;
  /** How long to wait for the virtual garden to answer. @default 300000 */
  waitTimeoutMs?: number;
}

export interface VirtualGardenHandle {
  client: KubeClient;
  kubeconfig: string;
}

export class VirtualGarden {
  private pending: Promise<VirtualGardenHandle> | undefined;
  /** What `pending` resolved to. */
  private connected: VirtualGardenHandle | undefined;
  private tmpDir: string | undefined;

  constructor(private readonly opts: VirtualGardenOptions) {}

  get source(): string {
    return (
      this.opts.kubeconfigFile ??
      `Secret ${this.opts.secretNamespace ?? this.opts.systemNamespace}/${this.opts.secretName ?? "gardener-internal-kubeconfig"}`
    );
  }

  /** Resolves once the virtual garden answers; shared by all callers of one pass. */
  ready(signal: AbortSignal, onWaiting: (message: string) => void): Promise<VirtualGardenHandle> {
    this.pending ??= this.connect(signal, onWaiting).then(
      (h) => (this.connected = h),
      (e: unknown) => {
        this.pending = undefined;
        throw e;
      },
    );
    return this.pending;
  }

  /**
   * The virtual garden if it answers now (one probe, no waiting), else undefined; an answer is
   * kept for `ready` as well.
   */
  async readyNow(): Promise<VirtualGardenHandle | undefined> {
    if (this.connected !== undefined) return this.connected;
    const p = await this.probe().catch(() => undefined);
    if (p?.handle === undefined) return undefined;
    this.connected ??= p.handle;
    this.pending ??= Promise.resolve(p.handle);
    return p.handle;
  }

  private async kubeconfig(): Promise<{ file: string; text?: string } | undefined> {
    if (this.opts.kubeconfigFile !== undefined) return { file: this.opts.kubeconfigFile };
    const name = this.opts.secretName ?? "gardener-internal-kubeconfig";
    const s = await this.opts.base.get<KubeObject & { data?: Record<string, string> }>(
      "v1",
      "Secret",
      name,
      this.opts.secretNamespace ?? this.opts.systemNamespace,
    );
    const b64 = s?.data?.[this.opts.secretKey ?? "value"];
    if (b64 === undefined) return undefined;
    const text = Buffer.from(b64, "base64").toString("utf8");
    this.tmpDir ??= mkdtempSync(path.join(os.tmpdir(), "23ke-virtual-"));
    const file = path.join(this.tmpDir, "kubeconfig");
    writeFileSync(file, text, { mode: 0o600 });
    return { file, text };
  }

  /**
   * One look, no waiting: whether a kubeconfig is there and the virtual garden answers /readyz
   * with it (for `23ke doctor`; `ready` waits on it).
   */
  async probe(): Promise<{ kubeconfig: boolean; handle?: VirtualGardenHandle; message: string }> {
    const kc = await this.kubeconfig();
    if (kc === undefined) return { kubeconfig: false, message: `no kubeconfig yet in ${this.source}` };
    const client =
      kc.text === undefined
        ? KubeClient.fromFile(kc.file, "virtual", { requestTimeoutMs: 5000 })
        : KubeClient.fromString(kc.text, "virtual", { requestTimeoutMs: 5000 });
    try {
      const r = await client.request("GET", "/readyz");
      if (r.status === 200)
        return { kubeconfig: true, handle: { client, kubeconfig: kc.file }, message: "ready" };
      return { kubeconfig: true, message: `it answered /readyz with ${r.status}` };
    } catch (e) {
      return { kubeconfig: true, message: (e as Error).message };
    }
  }

  private async connect(
    signal: AbortSignal,
    onWaiting: (message: string) => void,
  ): Promise<VirtualGardenHandle> {
    const timeout = this.opts.waitTimeoutMs ?? 300_000;
    const deadline = Date.now() + timeout;
    let last = "";
    for (;;) {
      const p = await this.probe();
      if (p.handle !== undefined) return p.handle;
      const why = p.message;
      if (why !== last) {
        last = why;
        onWaiting(`waiting for the virtual garden: ${why}`);
      }
      if (Date.now() >= deadline) {
        throw new WaitingError(
          `the virtual garden did not answer within ${Math.round(timeout / 1000)}s: ${why}`,
          {
            reason: Reason.VirtualGardenUnavailable,
            object: this.source,
          },
        );
      }
      await sleep(Math.min(2000, Math.max(0, deadline - Date.now())), signal);
    }
  }

  /** Removes the temporary kubeconfig file. */
  close(): void {
    if (this.tmpDir !== undefined) rmSync(this.tmpDir, { recursive: true, force: true });
    this.tmpDir = undefined;
    this.pending = undefined;
    this.connected = undefined;
  }
}
