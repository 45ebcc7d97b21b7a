/** Exit codes of the 23ke command, in one place. */
export const ExitCode = {
  ok: 0,
  /** The command ran and found a problem (invalid config, a component not Ready). */
  failed: 1,
  /** `23ke diff`: an apply would change something (as `kubectl diff`); its errors exit with `error`. */
  changes: 1,
  /** Wrong use: unknown command or flag, missing argument. */
  usage: 2,
  /** Could not do the work: cluster unreachable, helm missing, unexpected error. */
  error: 3,
  /**
   * `23ke doctor` found an error (an install or the landscape cannot work as it is); its warnings
   * exit with `failed`. Not 2, which means wrong use, nor 3, which means doctor itself broke.
   */
  doctorError: 4,
  interrupted: 130,
} as const;
