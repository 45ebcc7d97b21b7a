/** The operator's chart (charts/23ke-operator) run through the real helm: lint and template. */
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../../src/kube/client.js";
import { helmEnvFor, projectRoot } from "../../tools/devenv/src/environment.js";

export const operatorChart = path.join(projectRoot, "charts", "23ke-operator");

export interface HelmRun {
  code: number;
  stdout: string;
  stderr: string;
}

function helm(args: string[]): Promise<HelmRun> {
  const env = helmEnvFor(mkdtempSync(path.join(os.tmpdir(), "23ke-chart-")));
  return new Promise((resolve) => {
    execFile(env.HELM_BINARY ?? "helm", args, { env }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

function setArgs(set: Record<string, string>): string[] {
  return Object.entries(set).flatMap(([k, v]) => ["--set", `${k}=${v}`]);
}

export function lintOperatorChart(set: Record<string, string> = {}): Promise<HelmRun> {
  return helm(["lint", operatorChart, "--strict", ...setArgs(set)]);
}

/** The chart's objects as `helm template` renders them (with the CRDs of crds/ when asked). */
export async function renderOperatorChart(
  o: { release?: string; namespace?: string; set?: Record<string, string>; includeCrds?: boolean } = {},
): Promise<KubeObject[]> {
  const r = await helm([
    "template",
    o.release ?? "23ke-operator",
    operatorChart,
    "--namespace",
    o.namespace ?? "23ke-system",
    ...(o.includeCrds === true ? ["--include-crds"] : []),
    ...setArgs(o.set ?? {}),
  ]);
  if (r.code !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);
}
