/**
 * The 23ke-config (DESIGN.md §2, §4): schema and validation, layering, generated secrets, the
 * fan-out to `<component>-base-values`, and the configuration stage that writes them.
 */
export {
  ConfigSchema,
  DNS_NAME,
  DEFAULT_ACME_SERVER,
  DEFAULT_CLUSTER_IDENTITY,
  type RawConfig,
  type ParsedConfig,
} from "./config-schema.js";
export {
  CONFIG_LAYER_NAMES,
  CONFIG_SECRET_NAME,
  checkConfig,
  deriveConfig,
  parseConfigLayers,
  resolveConfig,
  type BackupsConfig,
  type ConfigCheck,
  type ConfigLayer,
  type ConfigText,
  type DnsDomainConfig,
  type IssuerConfig,
  type ResolvedConfig,
} from "./config-resolve.js";
export {
  GENERATED_SECRETS_NAME,
  GENERATED_SECRET_KEYS,
  completeGeneratedSecrets,
  cryptoRandomChars,
  generateSecrets,
  generatedSecretsLayer,
  offlineGeneratedSecrets,
  readGeneratedSecrets,
  type GeneratedSecrets,
  type RandomChars,
} from "./generated-secrets.js";
export {
  BASE_VALUES_COMPONENTS,
  baseValuesSecretName,
  fanOut,
  renderBaseValues,
  type BaseValuesComponent,
  type BaseValuesDocument,
  type FanOutOptions,
} from "./base-values.js";
export {
  BACKUP_BUCKETS,
  DNS_RECORD_EXTENSIONS,
  EXTENSION_CHARTS_REPOSITORY,
  GARDENLET_CHART_REPOSITORY,
  OPERATOR_BASE_VALUES_COMPONENTS,
  operatorBaseValues,
  runtimeExtensionsOf,
  runtimeIngressDomain,
  virtualGardenDomain,
  type OperatorBaseValuesComponent,
} from "./operator-base-values.js";
export {
  DEFAULT_SYSTEM_NAMESPACE,
  FIELD_MANAGER,
  LABEL_COMPONENT,
  LABEL_MANAGED_BY,
  LABEL_ROLE,
  VALUES_KEY,
  baseValuesSecret,
  ensureGeneratedSecrets,
  ensureNamespace,
  readConfigLayers,
  runConfigurationStage,
  writeBaseValues,
  type ConfigurationStageOptions,
  type ConfigurationStageResult,
  type SecretClient,
} from "./configuration-stage.js";
export { BACKUP_PROVIDERS, DNS_PROVIDERS, type CredentialSpec } from "./credential-keys.js";
export { overwriteImage, normalizeImage } from "./image-catalog.js";
export {
  CLUSTER_IP_PLACEHOLDER,
  VPA_CRD,
  discoverClusterFacts,
  ipv4ToInt,
  offlineClusterFacts,
  type ClusterFacts,
} from "./cluster-facts.js";
