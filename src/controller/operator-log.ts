/**
 * The operator's log: structured records (pino) of what it decides and sees, as JSON lines for a
 * log collector or as plain lines for a person. `json` writes pino's records unchanged (time in
 * RFC 3339, level as a word); `text` writes `TIME [LEVEL ]MESSAGE key=value...` (the level only
 * when it is not info).
 *
 * Secrets never reach the log: the values of fields named like a credential are replaced by
 * `***`, user information in URLs is cut out of messages, and the secrets the operator knows
 * (the webhook secret) are replaced wherever they appear (src/sources/redaction.ts).
 */
import { pino, stdTimeFunctions, type Logger } from "pino";
import type { ProgressEvent } from "../reconcile/reconcile-pass.js";
import { redactText } from "../sources/redaction.js";

export type LogFormat = "json" | "text";
export type OperatorLog = Logger;

/** Field names whose values are never written, at the top level and one level down. */
const SECRET_FIELDS = ["secret", "token", "password", "authorization", "signature", "kubeconfig"];

/** `--log-format`'s default: text for a person at a terminal, JSON for everything else. */
export function defaultLogFormat(isTTY: boolean): LogFormat {
  return isTTY ? "text" : "json";
}

function textValue(v: unknown): string {
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return /[\s"=]/.test(s) ? JSON.stringify(s) : s;
}

/** One JSON record → one plain line. */
export function textLine(record: Record<string, unknown>): string {
  const { time, level, msg, pid: _pid, hostname: _hostname, ...rest } = record;
  const head = [
    String(time),
    ...(level === "info" ? [] : [String(level).toUpperCase()]),
    typeof msg === "string" ? msg : "",
  ];
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${textValue(v)}`);
  return `${[...head, ...fields].join(" ")}\n`;
}

export function operatorLogger(
  out: NodeJS.WritableStream,
  format: LogFormat,
  /** Secret values to cut out of every message (short ones are left: they would match noise). */
  secrets: () => readonly string[] = () => [],
): OperatorLog {
  const destination =
    format === "json"
      ? out
      : { write: (line: string) => out.write(textLine(JSON.parse(line) as Record<string, unknown>)) };
  return pino(
    {
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: SECRET_FIELDS.flatMap((f) => [f, `*.${f}`]), censor: "***" },
      hooks: {
        logMethod(args, method) {
          const clean = args.map((a: unknown) => (typeof a === "string" ? redactText(a, secrets()) : a));
          method.apply(this, clean as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

/** A revision of the configuration repository a pass applies (src/landscape's onRevision). */
export interface RevisionRecord {
  revision: string;
  values: number;
  manifests: number;
  /** A newer revision that did not load; the applied one is the last good. */
  rejected?: string;
}

/** What a pass tells the log as it goes: each component's state change and the revision read. */
export function passLogHooks(log: OperatorLog): {
  onProgress: (e: ProgressEvent) => void;
  onRevision: (r: RevisionRecord) => void;
} {
  return {
    onProgress: (e) =>
      log.info(
        {
          component: e.component,
          state: e.state,
          ...(e.durationMs === undefined ? {} : { seconds: e.durationMs / 1000 }),
        },
        `${e.component}: ${e.state}${e.message === "" ? "" : ` (${e.message})`}`,
      ),
    onRevision: (r) => {
      if (r.rejected !== undefined)
        log.warn(
          { rejected: r.rejected, revision: r.revision },
          `configuration repository revision ${r.rejected} rejected (see 23ke status): the last good revision ${r.revision} stays in force`,
        );
      log.info(
        { revision: r.revision, valuesFiles: r.values, manifests: r.manifests },
        `configuration repository revision ${r.revision}: ${r.values} values file(s), ${r.manifests} garden-content manifest(s)`,
      );
    },
  };
}
