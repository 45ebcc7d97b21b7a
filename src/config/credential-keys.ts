/**
 * The credential keys each DNS provider and each backup provider needs (DESIGN.md §2). Data,
 * not logic: the rules in config-rules.ts read these tables.
 *
 * `required` keys must all be present; `alternatives` are sets of which one must be complete
 * (e.g. OpenStack password vs. application credentials); `optional` keys are documented by the
 * provider and accepted; any other key draws a warning (it is copied but probably a typo).
 */

export interface CredentialSpec {
  required: readonly string[];
  alternatives?: readonly (readonly string[])[];
  optional?: readonly string[];
}

const azureDns: CredentialSpec = {
  required: ["tenantID", "subscriptionID", "clientID", "clientSecret"],
  optional: ["AZURE_CLOUD"],
};

/** external-dns-management provider types 23ke knows; others are rejected with a suggestion. */
export const DNS_PROVIDERS: Readonly<Record<string, CredentialSpec>> = {
  "aws-route53": {
    required: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
    optional: ["AWS_REGION", "AWS_SESSION_TOKEN", "AWS_USE_CREDENTIALS_CHAIN"],
  },
  "azure-dns": azureDns,
  "azure-private-dns": azureDns,
  "google-clouddns": { required: ["serviceaccount.json"] },
  "openstack-designate": {
    required: ["OS_AUTH_URL"],
    alternatives: [
      ["OS_APPLICATION_CREDENTIAL_ID", "OS_APPLICATION_CREDENTIAL_SECRET"],
      [
        "OS_USERNAME",
        "OS_PASSWORD",
        "OS_PROJECT_NAME",
        "OS_DOMAIN_NAME",
        "OS_USER_DOMAIN_NAME",
        "OS_REGION_NAME",
      ],
    ],
    optional: [
      "OS_APPLICATION_CREDENTIAL_NAME",
      "OS_REGION_NAME",
      "OS_DOMAIN_ID",
      "OS_PROJECT_ID",
      "OS_USER_DOMAIN_ID",
      "OS_PROJECT_DOMAIN_NAME",
      "OS_PROJECT_DOMAIN_ID",
      "CACERT",
      "CLIENTCERT",
      "CLIENTKEY",
      "INSECURE",
    ],
  },
  "alicloud-dns": { required: ["ACCESS_KEY_ID", "ACCESS_KEY_SECRET"] },
  rfc2136: { required: ["Server", "TSIGKeyName", "TSIGSecret", "Zone", "TSIGSecretAlgorithm"] },
  "cloudflare-dns": { required: ["CLOUDFLARE_API_TOKEN"] },
  "netlify-dns": { required: ["NETLIFY_AUTH_TOKEN"] },
  powerdns: {
    required: ["server", "apiKey"],
    optional: ["virtualHost", "insecureSkipVerify", "trustedCaCert"],
  },
};

/** Backup providers (`backups.provider`) and their credential keys. */
export const BACKUP_PROVIDERS: Readonly<Record<string, CredentialSpec>> = {
  aws: { required: ["accessKeyID", "secretAccessKey"], optional: ["region"] },
  s3: { required: ["accessKeyID", "secretAccessKey"], optional: ["endpoint", "s3ForcePathStyle", "region"] },
  azure: {
    required: ["storageAccount", "storageAccountAccessKey"],
    optional: ["tenantID", "subscriptionID", "clientID", "clientSecret", "resourceGroup"],
  },
  openstack: {
    required: ["authURL", "region"],
    alternatives: [
      ["username", "password", "tenantName", "domainName"],
      ["applicationCredentialID", "applicationCredentialSecret"],
    ],
    optional: ["applicationCredentialName", "domainName", "tenantName", "insecure", "caCert"],
  },
};

export type BackupProvider = "aws" | "azure" | "openstack" | "s3";
export const BACKUP_PROVIDER_NAMES: readonly BackupProvider[] = ["aws", "azure", "openstack", "s3"];

/** Every key a spec knows, for "did you mean" on unknown keys. */
export function knownCredentialKeys(spec: CredentialSpec): string[] {
  return [...new Set([...spec.required, ...(spec.alternatives ?? []).flat(), ...(spec.optional ?? [])])];
}
