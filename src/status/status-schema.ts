/**
 * The schemas of what 23ke reads back from its status ConfigMap: a component's record (JSON, one
 * key per component) and the summary of the last pass (YAML, key `landscape.yaml`). What is read
 * there may have been edited by hand or written by another version, so it is validated, not cast.
 *
 * The types stay the interfaces in component-state.ts and conditions.ts; the checks at the end of
 * this file fail to compile when a schema and its interface drift apart.
 */
import { z } from "zod";
import { formatPath } from "../values/values-path.js";
import { ComponentState, type ComponentRecord } from "./component-state.js";
import { ConditionType, type Condition, type StatusSummary } from "./conditions.js";

const componentStates = Object.values(ComponentState) as [
  (typeof ComponentState)[keyof typeof ComponentState],
  ...(typeof ComponentState)[keyof typeof ComponentState][],
];
const conditionTypes = Object.values(ConditionType) as [
  (typeof ConditionType)[keyof typeof ConditionType],
  ...(typeof ConditionType)[keyof typeof ConditionType][],
];

export const componentRecordSchema = z.object({
  component: z.string(),
  stage: z.string(),
  target: z.enum(["base", "virtual"]),
  release: z.string(),
  namespace: z.string(),
  chart: z.object({ repository: z.string(), name: z.string(), version: z.string() }),
  ready: z.boolean(),
  state: z.enum(componentStates),
  reason: z.string(),
  message: z.string(),
  appliedDigest: z.string().optional(),
  attemptedDigest: z.string().optional(),
  revision: z.number().int().optional(),
  lastApplied: z.string().optional(),
  lastAttempt: z.string().optional(),
  lastFailure: z.object({ time: z.string(), reason: z.string(), message: z.string() }).optional(),
  objects: z
    .array(
      z.object({
        apiVersion: z.string(),
        kind: z.string(),
        name: z.string(),
        namespace: z.string().optional(),
      }),
    )
    .optional(),
  drift: z
    .object({
      time: z.string(),
      corrected: z.boolean(),
      objects: z.array(
        z.object({
          apiVersion: z.string(),
          kind: z.string(),
          name: z.string(),
          namespace: z.string().optional(),
          paths: z.array(z.string()),
        }),
      ),
    })
    .optional(),
});

export const conditionSchema = z.object({
  type: z.enum(conditionTypes),
  status: z.enum(["True", "False", "Unknown"]),
  reason: z.string(),
  message: z.string(),
  lastTransitionTime: z.string(),
});

const conditionsSchema = z.array(conditionSchema);

export const statusSummarySchema = z.object({
  observedAt: z.string(),
  landscape: z.object({ conditions: conditionsSchema }),
  stages: z.record(z.string(), z.object({ conditions: conditionsSchema })),
  components: z.record(
    z.string(),
    z.object({
      stage: z.string(),
      state: z.enum(componentStates),
      reason: z.string(),
      conditions: conditionsSchema,
    }),
  ),
});

export type StatusParse<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** At most this many problems are named per record: a record of another shape fails everywhere. */
const MAX_PROBLEMS = 5;

function parseWith<T>(schema: z.ZodType, raw: unknown): StatusParse<T> {
  const r = schema.safeParse(raw);
  if (r.success) {
    // The parsed value is exact: JSON and YAML hold no `undefined`, so an optional key zod
    // reports as `?: T | undefined` is absent or a T, as the interface says (checked below).
    return { ok: true, value: r.data as T };
  }
  const problems = r.error.issues.slice(0, MAX_PROBLEMS).map((i) => {
    const path = formatPath(i.path.map((s) => (typeof s === "symbol" ? String(s) : s)));
    const message = i.message.replace(/^Invalid (input|option): /, "");
    return path === "" ? message : `${path}: ${message}`;
  });
  return { ok: false, problems };
}

/** Validates a component record as parsed from its ConfigMap key; never throws. */
export function parseComponentRecord(raw: unknown): StatusParse<ComponentRecord> {
  return parseWith<ComponentRecord>(componentRecordSchema, raw);
}

/** Validates the summary of a pass as parsed from `landscape.yaml`; never throws. */
export function parseStatusSummary(raw: unknown): StatusParse<StatusSummary> {
  return parseWith<StatusSummary>(statusSummarySchema, raw);
}

// Compile-time: each schema describes its interface exactly (zod's optional keys, `?: T |
// undefined`, read as `?: T`).
type Exact<T> = T extends readonly (infer E)[]
  ? Exact<E>[]
  : T extends object
    ? { [K in keyof T]: Exact<Exclude<T[K], undefined>> }
    : T;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemasMatchTypes: [
  Same<Exact<z.output<typeof componentRecordSchema>>, ComponentRecord>,
  Same<Exact<z.output<typeof conditionSchema>>, Condition>,
  Same<Exact<z.output<typeof statusSummarySchema>>, StatusSummary>,
] = [true, true, true];
void schemasMatchTypes;
