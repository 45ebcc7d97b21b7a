/**
 * The registry overwrite (DESIGN.md §2 `registryOverwrite`) in the operator flavour: the values of
 * the gardener-operator chart that make gardener-operator pull its own image, and every image it
 * deploys, from the overwritten registries. Pure; the data are the release's image vectors
 * (gardener-image-vectors/), chosen by the catalog's Gardener version.
 *
 * How gardener takes an overwrite (pkg/utils/imagevector at v1.149.3): an entry is merged into the
 * built-in vector by name, runtimeVersion, targetVersion and architectures (an entry whose key
 * matches nothing is added as a new image, without a tag); an entry with a repository and no tag
 * keeps the built-in tag; one with a ref replaces repository and tag. So an entry here names the
 * image with its key fields and the rewritten repository (or ref), nothing more, and lists only
 * images the overwrite changes. gardener-operator hands its image vector overwrites on to the
 * gardenlets it deploys and takes their image from its vector (pkg/controller/gardenletdeployer),
 * so the initial seed's gardenlet and what it deploys follow as well.
 *
 * With no overwrite, or none that matches, the document is empty: the chart's defaults stay.
 */
import { stringify } from "yaml";
import { gardenerImages, type ImageSource } from "./gardener-image-vectors/index.js";
import { overwriteImage } from "./image-catalog.js";

type Overwrite = Readonly<Record<string, string>>;

/**
 * The gardener-operator chart's values for the overwrite: `image.repository`, and the strings
 * `imageVectorOverwrite` (env IMAGEVECTOR_OVERWRITE), `componentImageVectorOverwrites`
 * (IMAGEVECTOR_OVERWRITE_COMPONENTS: etcd-druid's own images, the virtual garden's etcds) and
 * `chartsImageVectorOverwrite` (IMAGEVECTOR_OVERWRITE_CHARTS: the gardenlet chart), each only
 * when it has something to say. `gardener` is the catalog's Gardener version; a release without
 * data gives nothing (a unit test keeps every operator catalog covered).
 */
export function gardenerOperatorValues(
  overwrite: Overwrite,
  gardener: string | undefined,
): Record<string, unknown> {
  const images = gardener === undefined ? undefined : gardenerImages(gardener);
  if (images === undefined || Object.keys(overwrite).length === 0) return {};
  const out: Record<string, unknown> = {};
  const operator = overwriteImage(images.operatorImage, overwrite);
  if (operator !== images.operatorImage) out.image = { repository: operator };
  const containers = rewrittenImages(images.containers, overwrite);
  if (containers.length > 0) out.imageVectorOverwrite = imageVectorText(containers);
  const components = Object.entries(images.components).flatMap(([name, vector]) => {
    const rewritten = rewrittenImages(vector, overwrite);
    return rewritten.length === 0 ? [] : [{ name, imageVectorOverwrite: imageVectorText(rewritten) }];
  });
  if (components.length > 0) out.componentImageVectorOverwrites = yamlText({ components });
  const charts = rewrittenImages(images.charts, overwrite);
  if (charts.length > 0) out.chartsImageVectorOverwrite = imageVectorText(charts);
  return out;
}

/**
 * The overwrite entries of a vector: every image whose repository (or ref) the overwrite changes,
 * with its merge key and the new repository (or ref), in the vector's order.
 */
export function rewrittenImages(vector: readonly ImageSource[], overwrite: Overwrite): ImageSource[] {
  const out: ImageSource[] = [];
  for (const image of vector) {
    const { name, runtimeVersion, targetVersion, architectures } = image;
    const entry: ImageSource = {
      name,
      ...(runtimeVersion === undefined ? {} : { runtimeVersion }),
      ...(targetVersion === undefined ? {} : { targetVersion }),
      ...(architectures === undefined ? {} : { architectures: [...architectures] }),
    };
    if (image.ref !== undefined) {
      const ref = overwriteImage(image.ref, overwrite);
      if (ref !== image.ref) out.push({ ...entry, ref });
    } else if (image.repository !== undefined) {
      const repository = overwriteImage(image.repository, overwrite);
      if (repository !== image.repository) out.push({ ...entry, repository });
    }
  }
  return out;
}

/** An image vector file (`images: [...]`), as the chart puts it into a ConfigMap. */
function imageVectorText(images: readonly ImageSource[]): string {
  return yamlText({ images });
}

function yamlText(v: unknown): string {
  return stringify(v, { lineWidth: 0, aliasDuplicateObjects: false });
}
