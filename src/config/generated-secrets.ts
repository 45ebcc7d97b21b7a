/**
 * The landscape's random secrets (DESIGN.md §2): created once, kept in Secret
 * `23ke-generated-secrets` in the system namespace as a values layer (key `values.yaml`, the
 * same shape as the Flux-based 23KE, so an existing landscape keeps its tokens), read back on
 * every run, and never regenerated while present. They override operator input.
 */
import { randomInt } from "node:crypto";
import { getPath } from "../values/values-path.js";

export const GENERATED_SECRETS_NAME = "23ke-generated-secrets";

export interface GeneratedSecrets {
  /** dashboard.sessionSecret: 20 alphanumerics. */
  dashboardSessionSecret: string;
  /** dashboard.clientSecret (Dex static client `dashboard`): 20 alphanumerics. */
  dashboardClientSecret: string;
  /** kubeAPIServer.staticTokens.healthCheck: 20 alphanumerics. */
  healthCheckToken: string;
  /** gardenlet.bootstrapTokenId: `[0-9][a-z0-9]{4}[a-z]`. */
  bootstrapTokenId: string;
  /** gardenlet.bootstrapTokenSecret: 16 lower-case alphanumerics. */
  bootstrapTokenSecret: string;
}

/** Where each secret lives in the config document. */
export const GENERATED_SECRET_PATHS: Readonly<Record<keyof GeneratedSecrets, readonly string[]>> = {
  dashboardSessionSecret: ["dashboard", "sessionSecret"],
  dashboardClientSecret: ["dashboard", "clientSecret"],
  healthCheckToken: ["kubeAPIServer", "staticTokens", "healthCheck"],
  bootstrapTokenId: ["gardenlet", "bootstrapTokenId"],
  bootstrapTokenSecret: ["gardenlet", "bootstrapTokenSecret"],
};

const DIGITS = "0123456789";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const ALNUM = `${DIGITS}${LOWER}ABCDEFGHIJKLMNOPQRSTUVWXYZ`;
const LOWER_ALNUM = `${DIGITS}${LOWER}`;

/** Picks `length` characters uniformly from `alphabet`; cryptographically random by default. */
export type RandomChars = (alphabet: string, length: number) => string;

export const cryptoRandomChars: RandomChars = (alphabet, length) => {
  let s = "";
  for (let i = 0; i < length; i++) s += alphabet[randomInt(alphabet.length)] ?? "";
  return s;
};

const GENERATORS: Readonly<Record<keyof GeneratedSecrets, (r: RandomChars) => string>> = {
  dashboardSessionSecret: (r) => r(ALNUM, 20),
  dashboardClientSecret: (r) => r(ALNUM, 20),
  healthCheckToken: (r) => r(ALNUM, 20),
  bootstrapTokenId: (r) => r(DIGITS, 1) + r(LOWER_ALNUM, 4) + r(LOWER, 1),
  bootstrapTokenSecret: (r) => r(LOWER_ALNUM, 16),
};

export const GENERATED_SECRET_KEYS = Object.keys(GENERATORS) as (keyof GeneratedSecrets)[];

export function generateSecrets(random: RandomChars = cryptoRandomChars): GeneratedSecrets {
  return completeGeneratedSecrets({}, random).secrets;
}

/** Keeps every secret present in `existing` and generates only the missing ones. */
export function completeGeneratedSecrets(
  existing: Partial<GeneratedSecrets>,
  random: RandomChars = cryptoRandomChars,
): { secrets: GeneratedSecrets; added: (keyof GeneratedSecrets)[] } {
  const out: Partial<GeneratedSecrets> = {};
  const added: (keyof GeneratedSecrets)[] = [];
  for (const k of GENERATED_SECRET_KEYS) {
    const v = existing[k];
    if (v !== undefined && v !== "") out[k] = v;
    else {
      out[k] = GENERATORS[k](random);
      added.push(k);
    }
  }
  return { secrets: out as GeneratedSecrets, added };
}

/** The values layer stored in the Secret and merged last into the config. */
export function generatedSecretsLayer(g: GeneratedSecrets): Record<string, unknown> {
  return {
    dashboard: { sessionSecret: g.dashboardSessionSecret, clientSecret: g.dashboardClientSecret },
    kubeAPIServer: { staticTokens: { healthCheck: g.healthCheckToken } },
    gardenlet: { bootstrapTokenId: g.bootstrapTokenId, bootstrapTokenSecret: g.bootstrapTokenSecret },
  };
}

/** The format each generated secret must have (bootstrap tokens as Kubernetes defines them). */
export const GENERATED_SECRET_FORMATS: Readonly<Record<keyof GeneratedSecrets, RegExp>> = {
  dashboardSessionSecret: /^[A-Za-z0-9]{20,}$/,
  dashboardClientSecret: /^[A-Za-z0-9]{20,}$/,
  healthCheckToken: /^[A-Za-z0-9]{20,}$/,
  bootstrapTokenId: /^[a-z0-9]{6}$/,
  bootstrapTokenSecret: /^[a-z0-9]{16}$/,
};

/** The keys whose stored value does not have the expected format (names only, never values). */
export function malformedGeneratedSecrets(g: Partial<GeneratedSecrets>): (keyof GeneratedSecrets)[] {
  return GENERATED_SECRET_KEYS.filter((k) => {
    const v = g[k];
    return v !== undefined && !GENERATED_SECRET_FORMATS[k].test(v);
  });
}

/** Reads what a stored layer holds (string values only; anything else counts as missing). */
export function readGeneratedSecrets(values: unknown): Partial<GeneratedSecrets> {
  const out: Partial<GeneratedSecrets> = {};
  for (const k of GENERATED_SECRET_KEYS) {
    const v = getPath(values, GENERATED_SECRET_PATHS[k]);
    if (typeof v === "string" && v !== "") out[k] = v;
  }
  return out;
}

/**
 * Stand-ins for commands that run without a cluster (`23ke values`): they show where the
 * generated secrets go without pretending to be them.
 */
export function offlineGeneratedSecrets(): GeneratedSecrets {
  const v = "(generated in the cluster)";
  return {
    dashboardSessionSecret: v,
    dashboardClientSecret: v,
    healthCheckToken: v,
    bootstrapTokenId: v,
    bootstrapTokenSecret: v,
  };
}
