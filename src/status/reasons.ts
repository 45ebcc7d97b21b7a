/**
 * The closed vocabulary of reasons (STYLE.md 6): every reason an error, a component record, a
 * condition or an Event carries is a constant of this module. It imports nothing, so every module
 * may use it (errors and kube included) without bending the direction of imports.
 *
 * Reasons are CamelCase and stable: users match on them (`kubectl get events`, `23ke status -o
 * json`), so a reason is renamed only with a note in the changelog.
 */
export const Reason = {
  // Component outcomes.
  Applied: "Applied",
  Unchanged: "Unchanged",
  DependencyNotReady: "DependencyNotReady",
  Interrupted: "Interrupted",
  Uninstalled: "Uninstalled",
  /** An unchanged release whose live objects differed from its manifest, corrected (ADR 0010). */
  DriftCorrected: "DriftCorrected",
  /** ... found and reported, not corrected (the component's drift mode is `detect`). */
  DriftDetected: "DriftDetected",
  /** A failure whose error carried no reason of its own. */
  Failed: "Failed",

  // Summaries (conditions of stages and of the landscape).
  Succeeded: "Succeeded",
  Progressing: "Progressing",
  NotReached: "NotReached",

  // Inputs and configuration.
  UsageError: "UsageError",
  ValidationFailed: "ValidationFailed",
  ConfigMissing: "ConfigMissing",
  GeneratedSecretsInvalid: "GeneratedSecretsInvalid",
  ClusterIPUnavailable: "ClusterIPUnavailable",
  ComponentNotApplicable: "ComponentNotApplicable",
  ValuesMissing: "ValuesMissing",
  /** A revision of the configuration repository that does not load; the last good one stays. */
  RevisionRejected: "RevisionRejected",
  /** The configuration repository could not be fetched; nothing was applied. */
  RepositoryUnavailable: "RepositoryUnavailable",
  /** A catalog change that downgrades Gardener or skips a minor version. */
  VersionSkew: "VersionSkew",
  /** An upgrade migration of the catalog (ADR 0016) that could not be carried out. */
  MigrationFailed: "MigrationFailed",

  // Clusters.
  KubeconfigInvalid: "KubeconfigInvalid",
  ApiUnreachable: "ApiUnreachable",
  NotFound: "NotFound",
  VirtualGardenUnavailable: "VirtualGardenUnavailable",
  ApplyInProgress: "ApplyInProgress",
  ApplyLockLost: "ApplyLockLost",

  // Helm.
  HelmNotFound: "HelmNotFound",
  HelmBroken: "HelmBroken",
  HelmUnavailable: "HelmUnavailable",
  InstallFailed: "InstallFailed",
  UpgradeFailed: "UpgradeFailed",
  RollbackFailed: "RollbackFailed",
  UninstallFailed: "UninstallFailed",
  RenderFailed: "RenderFailed",
  PostRenderInputInvalid: "PostRenderInputInvalid",
  PostRenderPatchFailed: "PostRenderPatchFailed",
  PostRendererMissing: "PostRendererMissing",
  ChartUnavailable: "ChartUnavailable",

  // Health.
  HealthCheckFailed: "HealthCheckFailed",
  HealthCheckTimeout: "HealthCheckTimeout",
} as const;
export type ReasonName = (typeof Reason)[keyof typeof Reason];

/** The reason of an error answer of an apiserver: `Api<HTTP status>`, e.g. `Api403`. */
export function apiReason(code: number): string {
  return `Api${code}`;
}

/** Reasons of the git source (src/sources/git). */
export const GitReason = {
  authFailed: "GitAuthFailed",
  hostKeyRejected: "GitHostKeyRejected",
  unreachable: "GitRemoteUnreachable",
  repositoryNotFound: "GitRepositoryNotFound",
  refNotFound: "GitRefNotFound",
  timeout: "GitTimeout",
  pathNotFound: "GitPathNotFound",
  invalidSpec: "GitSourceInvalid",
  failed: "GitFailed",
} as const;

/** Reasons of the chart sources (src/sources/helm, src/helm/helm-pull.ts). */
export const ChartReason = {
  repositoryUnreachable: "ChartRepositoryUnreachable",
  repositoryAuthFailed: "ChartRepositoryAuthFailed",
  indexNotFound: "ChartIndexNotFound",
  indexInvalid: "ChartIndexInvalid",
  indexTooLarge: "ChartIndexTooLarge",
  chartNotFound: "ChartNotFound",
  versionNotFound: "ChartVersionNotFound",
  downloadFailed: "ChartDownloadFailed",
  chartTooLarge: "ChartTooLarge",
  digestMismatch: "ChartDigestMismatch",
  archiveInvalid: "ChartArchiveInvalid",
  pullFailed: "ChartPullFailed",
  invalidRef: "ChartRefInvalid",
} as const;
