/**
 * Layered values (DESIGN.md §3): Helm merge semantics with provenance, stable digests, masking of
 * secrets for output, and reading values documents with positions. Pure; no I/O but text in.
 */
export {
  mergeLayers,
  mergeValues,
  cloneValue,
  type ValuesLayer,
  type MergeOptions,
  type MergedValues,
  type Provenance,
} from "./values-merge.js";
export { valuesDigest, canonicalJson } from "./values-digest.js";
export { maskSecrets, isSecretKey, isSecretPath, secretLeafPaths, MASKED } from "./values-mask.js";
export { formatPath, getPath, hasPath, isMap, type PathSegment, type ValuesPath } from "./values-path.js";
export {
  parseValuesDocument,
  isBase64,
  locate,
  locateInLayers,
  problemAt,
  describeType,
  type ValuesDocument,
  type ValuesDocumentResult,
  type SourcePosition,
  type ParseOptions,
} from "./values-document.js";
