/**
 * The closed vocabulary of component states (reasons: ./reasons.ts), and the record of each
 * component that 23ke keeps in the base cluster (ConfigMap `23ke-status` in the system namespace,
 * one key per component). Records hold digests, versions and messages, never values or secrets.
 */
import { Reason } from "./reasons.js";

export const ComponentState = {
  waiting: "waiting",
  applying: "applying",
  checkingHealth: "checking health",
  ready: "ready",
  unchanged: "unchanged",
  failed: "failed",
  blocked: "blocked",
  skipped: "skipped",
  uninstalled: "uninstalled",
} as const;
export type ComponentStateName = (typeof ComponentState)[keyof typeof ComponentState];

export { Reason };

export const STATUS_CONFIGMAP = "23ke-status";
/**
 * The key of the status ConfigMap that holds the conditions of the landscape, its stages and its
 * components (a StatusSummary, as YAML). Component names have no dots, so it never collides with a
 * component's key; and as YAML it is no JSON record to versions that predate it, which skip it.
 */
export const SUMMARY_KEY = "landscape.yaml";
/** Key of the status ConfigMap naming the release catalog the landscape is applied with. */
export const CATALOG_KEY = "landscape.catalog";
/**
 * Key of the status ConfigMap naming the newest revision of the configuration repository that was
 * rejected (JSON `{revision, problems}`, problems as `file:line:col: message`); absent while the
 * newest revision loads.
 */
export const REJECTED_REVISION_KEY = "landscape.rejected-revision";

/** A revision of the configuration repository that was not applied, and why. */
export interface RejectedRevision {
  revision: string;
  problems: string[];
}

export interface ComponentRecord {
  component: string;
  stage: string;
  target: "base" | "virtual";
  release: string;
  namespace: string;
  chart: { repository: string; name: string; version: string };
  /** Ready (true), not ready (false). */
  ready: boolean;
  state: ComponentStateName;
  reason: string;
  message: string;
  /** Digest of chart + merged values last applied successfully. */
  appliedDigest?: string;
  /** Digest last attempted (differs from appliedDigest while failing). */
  attemptedDigest?: string;
  revision?: number;
  lastApplied?: string;
  /**
   * The last pass that wrote this record. A no-op pass that finds the record as it would write
   * it (unchanged, healthy) leaves it as it is (ADR 0017): no write per component and pass.
   */
  lastAttempt?: string;
  /** The last failure, kept after the component recovers: when, and what the message was. */
  lastFailure?: { time: string; reason: string; message: string };
  /** Objects whose health is checked (from the release manifest). */
  objects?: { apiVersion: string; kind: string; name: string; namespace?: string }[];
  /**
   * The drift the last pass found in the live objects of the unchanged release (ADR 0010): which
   * fields of which objects differed from the manifest (JSON pointers, never values), and whether
   * they were corrected. Absent when the last pass found none.
   */
  drift?: DriftRecord;
}

export interface DriftRecord {
  time: string;
  /** True when the fields were set back to the manifest's; false when only detected. */
  corrected: boolean;
  objects: { apiVersion: string; kind: string; name: string; namespace?: string; paths: string[] }[];
}
