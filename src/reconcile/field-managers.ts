/** Field managers under which 23ke writes, in one place. */
export const FIELD_MANAGER = "23ke";
/** For the configuration repository's manifests in the virtual garden. */
export const FIELD_MANAGER_MANIFESTS = "23ke-garden-content";
/** The manager helm applies a release's objects under (server-side apply, Helm 4). */
export const FIELD_MANAGER_HELM = "helm";
