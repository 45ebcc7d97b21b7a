/**
 * The images gardener-operator deploys, per Gardener release: data for the registry overwrite of
 * the operator flavour (gardener-operator-images.ts). One module per release, generated from the
 * release's sources by tools/gardener-image-vector.mjs; a new release is a new module and one line
 * in GARDENER_IMAGE_VECTORS below. Names, default repositories and the keys gardener merges an
 * overwrite by (name, runtimeVersion, targetVersion, architectures); no tags, since an overwrite
 * entry without a tag keeps the release's own (pkg/utils/imagevector, mergeImageSources).
 */
import { GARDENER_V1_149_3 } from "./v1.149.3.js";
import { GARDENER_V1_150_0 } from "./v1.150.0.js";

/** One entry of a gardener image vector (pkg/utils/imagevector ImageSource), without its tag. */
export interface ImageSource {
  name: string;
  /** Either repository (the tag stays the release's) or ref (a whole reference). */
  repository?: string;
  ref?: string;
  /** Part of the key an overwrite entry is merged by: copied, never changed. */
  runtimeVersion?: string;
  targetVersion?: string;
  architectures?: readonly string[];
}

/** What one Gardener release deploys through gardener-operator. */
export interface GardenerImages {
  /** The release, e.g. `v1.149.3`. */
  gardener: string;
  /** Where the data was read (repository, tag, commit, files). */
  sources: readonly string[];
  /** The operator chart's `image.repository` as published (its tag is the release). */
  operatorImage: string;
  /** imagevector/containers.yaml: gardener-operator's and its gardenlets' images. */
  containers: readonly ImageSource[];
  /** imagevector/charts.yaml: the OCI charts gardener-operator deploys (the gardenlet's). */
  charts: readonly ImageSource[];
  /** Image vectors of components that take an overwrite of their own, by component (etcd-druid). */
  components: Readonly<Record<string, readonly ImageSource[]>>;
}

/**
 * Every release with data, by its version (a catalog's `gardener`). v1.150.0: etcd-druid v0.38.1's
 * images.yaml was not at hand, so v0.37.1's names and repositories stand in; a later etcd-druid
 * commit (03b35881, etcd-wrapper v0.8.2) has the same five, so only their tags moved.
 */
export const GARDENER_IMAGE_VECTORS: Readonly<Record<string, GardenerImages>> = {
  [GARDENER_V1_149_3.gardener]: GARDENER_V1_149_3,
  [GARDENER_V1_150_0.gardener]: GARDENER_V1_150_0,
};
