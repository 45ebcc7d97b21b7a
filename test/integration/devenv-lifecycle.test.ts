/**
 * The environment's life cycle as a user meets it: `bin/23ke-dev up` starts real processes and ends
 * every one of them on Ctrl-C; a component that cannot start fails with its name and log path
 * instead of hanging.
 */
import { spawn } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startCluster } from "../../tools/devenv/src/cluster.js";
import { defaultBinDir, projectRoot } from "../../tools/devenv/src/environment.js";
import { ProcessGroup } from "../../tools/devenv/src/processes.js";
import { waitFor } from "../../src/util/wait.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "23ke-life-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("23ke-dev up", () => {
  it("starts the environment, prints kubeconfigs, and ends every process on Ctrl-C", async () => {
    if (!existsSync(path.join(projectRoot, "tools", "devenv", "dist", "main.js")))
      throw new Error("the local environment is not built: run `npm run build` first");
    const dir = path.join(scratch, "devenv");
    const child = spawn(path.join(projectRoot, "bin", "23ke-dev"), ["up", "--dir", dir, "--nodes", "1"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await waitFor(
      async () => Promise.resolve(out.includes("press Ctrl-C") ? { done: true, value: 0 } : { done: false }),
      {
        what: "23ke-dev up to be ready",
        timeoutMs: 120_000,
        intervalMs: 200,
      },
    );
    expect(out).toContain(path.join(dir, "base", "kubeconfig"));
    expect(out).toContain(path.join(dir, "virtual", "kubeconfig"));
    expect(out).toMatch(/Kubernetes v1\.36\.3/);
    const pids = readFileSync(path.join(dir, "pids"), "utf8")
      .trim()
      .split("\n")
      .map((l) => Number(l.split(" ")[0]));
    // etcd + apiserver for each cluster, controller manager, scheduler, kwok for the base.
    expect(pids).toHaveLength(7);
    for (const pid of pids) expect(alive(pid)).toBe(true);

    child.kill("SIGINT");
    expect(await exited).toBe(0);
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(existsSync(path.join(dir, "pids"))).toBe(false);
  });
});

describe("start-up failures", () => {
  it("names the component and its log when a binary is missing", async () => {
    const group = new ProcessGroup();
    const empty = path.join(scratch, "empty-bin");
    mkdirSync(empty, { recursive: true });
    await expect(
      startCluster({ name: "x", dir: path.join(scratch, "x"), binDir: empty, group }),
    ).rejects.toThrow(/etcd is not built: .*empty-bin\/etcd is missing; run 'bash tools\/testenv\/build.sh'/);
    await group.stop();
  });

  it("fails with the log path, not a hang, when the apiserver exits at once", async () => {
    const bin = path.join(scratch, "broken-bin");
    mkdirSync(bin, { recursive: true });
    symlinkSync(path.join(defaultBinDir, "etcd"), path.join(bin, "etcd"));
    writeFileSync(
      path.join(bin, "kube-apiserver"),
      "#!/bin/sh\necho 'E0000 cannot bind: address already in use' >&2\nexit 1\n",
    );
    chmodSync(path.join(bin, "kube-apiserver"), 0o755);
    const group = new ProcessGroup();
    const dir = path.join(scratch, "broken");
    await expect(
      startCluster({ name: "broken", dir, binDir: bin, group, startTimeoutMs: 20_000 }),
    ).rejects.toThrow(
      /broken-kube-apiserver did not start: exited \(code 1.*\n\s+log: .*broken\/kube-apiserver\.log\n.*address already in use/,
    );
    await group.stop();
    for (const p of group.processes) expect(alive(p.pid)).toBe(false);
  });

  it("times out with the log path when the apiserver never becomes ready", async () => {
    const bin = path.join(scratch, "hang-bin");
    mkdirSync(bin, { recursive: true });
    symlinkSync(path.join(defaultBinDir, "etcd"), path.join(bin, "etcd"));
    writeFileSync(path.join(bin, "kube-apiserver"), "#!/bin/sh\necho starting\nexec sleep 60\n");
    chmodSync(path.join(bin, "kube-apiserver"), 0o755);
    const group = new ProcessGroup();
    await expect(
      startCluster({
        name: "hang",
        dir: path.join(scratch, "hang"),
        binDir: bin,
        group,
        startTimeoutMs: 2_000,
      }),
    ).rejects.toThrow(
      /hang-kube-apiserver did not start: timed out after 2s waiting for serving certificate of hang\n\s+log: /,
    );
    await group.stop();
    for (const p of group.processes) expect(alive(p.pid)).toBe(false);
  });
});
