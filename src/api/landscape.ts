/**
 * The `Landscape` custom resource (group `23ke.cloud`, version `v1alpha1`): what the in-cluster
 * operator reconciles (spec) and what it reports (status). One zod schema per part gives both the
 * type and the validation of what is read from the apiserver; the CRD in
 * charts/23ke-operator/crds/landscapes.23ke.cloud.yaml carries the same shape as OpenAPI, so the
 * apiserver rejects most bad input before 23ke sees it, and this schema names what is left.
 *
 * The spec holds references to Secrets, never secret values; the status holds digests, commits,
 * reasons and messages, never values.
 */
import { z } from "zod";

export const LANDSCAPE_GROUP = "23ke.cloud";
export const LANDSCAPE_VERSION = "v1alpha1";
export const LANDSCAPE_API_VERSION = `${LANDSCAPE_GROUP}/${LANDSCAPE_VERSION}`;
export const LANDSCAPE_KIND = "Landscape";
export const LANDSCAPE_PLURAL = "landscapes";
export const LANDSCAPE_CRD_NAME = `${LANDSCAPE_PLURAL}.${LANDSCAPE_GROUP}`;
/** The Landscape the CLI works on when `--landscape` is not given. */
export const DEFAULT_LANDSCAPE_NAME = "garden";
/** "Reconcile now": an RFC 3339 time set by `23ke reconcile`, echoed in status.lastHandledReconcileAt. */
export const RECONCILE_REQUESTED_AT_ANNOTATION = "23ke.cloud/reconcile-requested-at";

/** A Go-like duration: 30s, 1m, 1m30s, 2h (at least one unit; no fractions). */
const DURATION = /^([0-9]+h)?([0-9]+m)?([0-9]+s)?$/;

const name = z.string().min(1).max(253);
const secretRef = z.object({ name }).strict();
const keyedSecretRef = z.object({ name, key: z.string().min(1).optional() }).strict();

export const landscapeSpecSchema = z
  .object({
    /** The release catalog (for example "1.150"); absent: the recorded one, else the newest. */
    catalog: z.string().min(1).optional(),
    /** Stops passes of the whole landscape until false again. @default false */
    suspend: z.boolean().optional(),
    /** Per component: `suspend` skips it (and what depends on it waits). */
    components: z.record(z.string(), z.object({ suspend: z.boolean().optional() }).strict()).optional(),
    config: z
      .object({
        /** The 23ke-config layers, in order (a later one wins). @default 23ke-config-0..2 (optional), 23ke-config */
        secretRefs: z.array(secretRef).optional(),
      })
      .strict()
      .optional(),
    repository: z
      .object({
        url: z.string().min(1),
        /** Branch, tag or commit. @default "main" */
        ref: z.string().min(1).optional(),
        /** Directory of the configuration in the repository. @default "." */
        path: z.string().min(1).optional(),
        /** Secret with `identity` (ssh key) | `username` + `password` | `token`. */
        secretRef: secretRef.optional(),
        /** Poll interval (30s, 1m, 5m). @default "1m" */
        interval: z
          .string()
          .regex(DURATION, "expected a duration such as 30s, 1m or 1h30m")
          .refine((s) => s !== "", "expected a duration such as 30s, 1m or 1h30m")
          .optional(),
      })
      .strict()
      .optional(),
    virtualGarden: z
      .object({
        /** Secret holding a kubeconfig of the virtual garden. @default key "kubeconfig" */
        kubeconfigSecretRef: keyedSecretRef,
      })
      .strict()
      .optional(),
  })
  .strict();

export type LandscapeSpec = z.output<typeof landscapeSpecSchema>;

const conditionSchema = z.object({
  type: z.enum(["Ready", "Reconciling", "Stalled"]),
  status: z.enum(["True", "False", "Unknown"]),
  reason: z.string(),
  message: z.string(),
  lastTransitionTime: z.string(),
  observedGeneration: z.number().int().optional(),
});

/** What a pass was given: catalog, repository commit (absent without a repository), config digest. */
const revisionSchema = z.object({
  catalog: z.string(),
  commit: z.string().optional(),
  configDigest: z.string(),
  time: z.string(),
});

export const landscapeStatusSchema = z.object({
  observedGeneration: z.number().int().optional(),
  conditions: z.array(conditionSchema).optional(),
  stages: z
    .array(z.object({ name: z.string(), state: z.string(), reason: z.string().optional() }))
    .optional(),
  components: z
    .array(
      z.object({
        name: z.string(),
        stage: z.string().optional(),
        state: z.string(),
        reason: z.string().optional(),
        message: z.string().optional(),
        revision: z.number().int().optional(),
        suspended: z.boolean().optional(),
      }),
    )
    .optional(),
  lastAttempted: revisionSchema.optional(),
  lastApplied: revisionSchema.optional(),
  /** The short commit of lastApplied (a printer column: JSONPath cannot shorten). */
  revision: z.string().optional(),
  lastHandledReconcileAt: z.string().optional(),
});

export type LandscapeStatus = z.output<typeof landscapeStatusSchema>;
export type LandscapeCondition = NonNullable<LandscapeStatus["conditions"]>[number];
export type LandscapeRevision = z.output<typeof revisionSchema>;
export type LandscapeComponentStatus = NonNullable<LandscapeStatus["components"]>[number];
export type LandscapeStageStatus = NonNullable<LandscapeStatus["stages"]>[number];

/** A Landscape as read from the apiserver (only the fields 23ke uses). */
export interface Landscape {
  apiVersion: typeof LANDSCAPE_API_VERSION;
  kind: typeof LANDSCAPE_KIND;
  metadata: {
    name: string;
    namespace: string;
    generation?: number;
    resourceVersion?: string;
    uid?: string;
    annotations?: Record<string, string>;
  };
  spec: LandscapeSpec;
  status?: LandscapeStatus;
}

export type LandscapeParse = { ok: true; value: Landscape } | { ok: false; problems: string[] };

/**
 * Validates a Landscape object read from the apiserver; problems name the field (`spec.x.y`).
 * A status that does not parse (edited by hand, older version) is dropped, not an error: the
 * operator rewrites it.
 */
export function parseLandscape(raw: unknown): LandscapeParse {
  const o = (raw ?? {}) as { metadata?: Record<string, unknown>; spec?: unknown; status?: unknown };
  const meta = o.metadata ?? {};
  const spec = landscapeSpecSchema.safeParse(o.spec ?? {});
  if (!spec.success) {
    return {
      ok: false,
      problems: spec.error.issues.map((i) => {
        const path = ["spec", ...i.path.map(String)].join(".");
        return `${path}: ${i.message.replace(/^Invalid (input|option): /, "")}`;
      }),
    };
  }
  const status = landscapeStatusSchema.safeParse(o.status ?? {});
  const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
  const metadata: Landscape["metadata"] = {
    name: str(meta["name"]) ?? "",
    namespace: str(meta["namespace"]) ?? "",
  };
  if (typeof meta["generation"] === "number") metadata.generation = meta["generation"];
  const rv = str(meta["resourceVersion"]);
  if (rv !== undefined) metadata.resourceVersion = rv;
  const uid = str(meta["uid"]);
  if (uid !== undefined) metadata.uid = uid;
  if (typeof meta["annotations"] === "object" && meta["annotations"] !== null) {
    metadata.annotations = meta["annotations"] as Record<string, string>;
  }
  const value: Landscape = {
    apiVersion: LANDSCAPE_API_VERSION,
    kind: LANDSCAPE_KIND,
    metadata,
    spec: spec.data,
  };
  if (status.success && o.status !== undefined) value.status = status.data;
  return { ok: true, value };
}

/** The poll interval of spec.repository.interval in milliseconds. */
export function durationMs(d: string): number {
  const m = DURATION.exec(d);
  if (m === null || d === "") throw new Error(`not a duration: ${d}`);
  const n = (s: string | undefined): number => (s === undefined ? 0 : Number(s.slice(0, -1)));
  return ((n(m[1]) * 60 + n(m[2])) * 60 + n(m[3])) * 1000;
}
