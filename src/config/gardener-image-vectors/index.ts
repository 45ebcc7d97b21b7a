/**
 * The images gardener-operator deploys, per Gardener release: data for the registry overwrite of
 * the operator flavour (gardener-operator-images.ts). One YAML file per release beside this module
 * (`<version>.yaml`, read from the source tree like the release catalogs), generated from the
 * release's sources by tools/gardener-image-vector.mjs; a new release is a new file. Names,
 * default repositories and the keys gardener merges an overwrite by (name, runtimeVersion,
 * targetVersion, architectures); no tags, since an overwrite entry without a tag keeps the
 * release's own (pkg/utils/imagevector, mergeImageSources).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { ValidationError } from "../../errors/errors.js";
import { parse } from "yaml";

/** One entry of a gardener image vector (pkg/utils/imagevector ImageSource), without its tag. */
const imageSourceSchema = z
  .strictObject({
    name: z.string().min(1),
    /** Either repository (the tag stays the release's) or ref (a whole reference). */
    repository: z.string().min(1).optional(),
    ref: z.string().min(1).optional(),
    /** Part of the key an overwrite entry is merged by: copied, never changed. */
    runtimeVersion: z.string().optional(),
    targetVersion: z.string().optional(),
    architectures: z.array(z.string()).optional(),
  })
  .refine((i) => (i.repository === undefined) !== (i.ref === undefined), {
    message: "needs exactly one of repository and ref",
  });

/** What one Gardener release deploys through gardener-operator. */
const gardenerImagesSchema = z.strictObject({
  /** The release, e.g. `v1.149.3`. */
  gardener: z.string().regex(/^v\d+\.\d+\.\d+$/),
  /** Where the data was read (repository, tag, commit, files). */
  sources: z.array(z.string()).min(1),
  /** The operator chart's `image.repository` as published (its tag is the release). */
  operatorImage: z.string().min(1),
  /** imagevector/containers.yaml: gardener-operator's and its gardenlets' images. */
  containers: z.array(imageSourceSchema),
  /** imagevector/charts.yaml: the OCI charts gardener-operator deploys (the gardenlet's). */
  charts: z.array(imageSourceSchema),
  /** Image vectors of components that take an overwrite of their own, by component (etcd-druid). */
  components: z.record(z.string(), z.array(imageSourceSchema)),
});

export type ImageSource = z.infer<typeof imageSourceSchema>;
export type GardenerImages = z.infer<typeof gardenerImagesSchema>;

/** The data files: src/config/gardener-image-vectors (dist/ holds no YAML). */
export const imageVectorDir = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
  "src",
  "config",
  "gardener-image-vectors",
);

/** The Gardener releases with image data, e.g. `v1.149.3`. */
export function gardenerImageVersions(dir = imageVectorDir): string[] {
  return readdirSync(dir)
    .filter((f) => /^v\d+\.\d+\.\d+\.yaml$/.test(f))
    .map((f) => f.slice(0, -".yaml".length))
    .sort();
}

/** The images of one Gardener release; undefined when there is no data for it. */
export function gardenerImages(version: string, dir = imageVectorDir): GardenerImages | undefined {
  if (!gardenerImageVersions(dir).includes(version)) return undefined;
  const file = path.join(dir, `${version}.yaml`);
  // Our own data file (the source tree), not user input.
  const value: unknown = parse(readFileSync(file, "utf8"));
  const r = gardenerImagesSchema.safeParse(value);
  if (!r.success)
    throw new ValidationError(
      "gardener image data",
      r.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message, file })),
      file,
    );
  if (r.data.gardener !== version)
    throw new ValidationError(
      "gardener image data",
      [{ path: "gardener", message: `names ${r.data.gardener}, but the file is ${version}.yaml`, file }],
      file,
    );
  return r.data;
}
