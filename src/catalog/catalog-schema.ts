/**
 * The schema of a release catalog (src/catalog/catalogs/<version>.yaml): one schema gives both the
 * type and the validation (STYLE.md 3).
 */
import semver from "semver";
import { z } from "zod";

const name = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a lower-case DNS label (letters, digits, '-')");

export const stageNames = ["configuration", "pre-gardener", "gardener"] as const;
export type StageName = (typeof stageNames)[number];

export const targets = ["base", "virtual"] as const;
export type Target = (typeof targets)[number];

export const injectionSchema = z.strictObject({
  /** Secret in the system namespace of the base cluster. */
  secret: name,
  key: z.string().min(1),
  /** Dotted value path, e.g. `tls.ca.crt`. */
  path: z.string().min(1),
});

export const valuesSourceSchema = z.strictObject({
  /** Layer prefixes p: p-base-values, p-values-0, -1, -2, p-values. */
  from: z.array(name).default([]),
  /** No p-base-values layer for these prefixes (only operator layers). @default false */
  noBase: z.boolean().default(false),
  /** More Secrets, after the prefix layers. */
  extra: z.array(z.strictObject({ secret: name, optional: z.boolean().default(false) })).default([]),
  /** Values of the component definition itself: the last layer. */
  inline: z.record(z.string(), z.unknown()).default({}),
  /**
   * Top-level keys of the layers that are switches for 23ke, not chart values (the webterminal's
   * `enabled`); left out of what helm gets.
   */
  omit: z.array(z.string().min(1)).default([]),
});

/**
 * One JSON-patch operation of a post-renderer. `value` is literal (`{{systemNamespace}}` is
 * replaced); `valueFrom` is a dotted path into the unit's merged values (`values.a.b`) or, for
 * expanded extensions, into the extension's settings (`extension.globallyEnabled`): an
 * operation whose path holds nothing is left out.
 */
export const postRenderOpSchema = z.union([
  z.strictObject({
    op: z.enum(["add", "replace"]),
    path: z.string().startsWith("/"),
    value: z.unknown().optional(),
    valueFrom: z
      .string()
      .regex(/^(values|extension)\.[^.]+(\.[^.]+)*$/, "values.<dotted path> or extension.<dotted path>")
      .optional(),
  }),
  z.strictObject({ op: z.literal("remove"), path: z.string().startsWith("/") }),
]);

/**
 * Patches of the rendered manifests (like a Flux HelmRelease's `postRenderers`, which 23KE used):
 * for what a chart offers no value for (PriorityClasses, the namespace a chart hard-codes, an
 * extension's `globallyEnabled`).
 */
export const postRendererSchema = z.strictObject({
  /** Why the patch exists (shown by `23ke template`). */
  description: z.string().min(1),
  target: z.strictObject({
    kind: z.string().min(1),
    name: z.string().min(1).optional(),
    namespace: z.string().min(1).optional(),
    apiVersion: z.string().min(1).optional(),
  }),
  patch: z.array(postRenderOpSchema).min(1),
});

export const conditionNames = ["backups", "webterminal", "vpa-crds"] as const;
export type ConditionName = (typeof conditionNames)[number];

export const componentSchema = z.strictObject({
  name,
  stage: z.enum(stageNames),
  chart: z.strictObject({
    /** A name from `repositories`, or `builtin` for 23ke's own charts (charts/). */
    repository: z.string().min(1),
    name: z.string().min(1),
    /** A SemVer version or range, as Helm takes it; `{version}` in `expand` (the extension's own). */
    version: z
      .string()
      .min(1)
      .refine((v) => v === "{version}" || semver.validRange(v) !== null, {
        message: "expected a chart version (SemVer, e.g. 1.2.3 or v1.2.3) or a SemVer range",
      }),
  }),
  /** The release namespace; `{{systemNamespace}}` stands for 23ke's system namespace. */
  namespace: z.union([name, z.literal("{{systemNamespace}}")]),
  target: z.enum(targets),
  dependsOn: z.array(name).default([]),
  values: valuesSourceSchema.default({ from: [], noBase: false, extra: [], inline: {}, omit: [] }),
  injections: z.array(injectionSchema).default([]),
  /** The component exists only when this is enabled. */
  condition: z.enum(conditionNames).optional(),
  /**
   * Objects the component's controller creates when it starts, which the chart does not render
   * (external-dns-management registers its CRDs itself): the component is Ready only when they are.
   */
  awaits: z
    .array(
      z.strictObject({
        apiVersion: z.string().min(1),
        kind: z.string().min(1),
        name: z.string().min(1),
        namespace: z.string().min(1).optional(),
      }),
    )
    .default([]),
  /** Applied to the rendered manifests, in order. */
  postRenderers: z.array(postRendererSchema).default([]),
  /** One release per enabled extension of the merged values (chart name/version from them). */
  expand: z.enum(["extensions"]).optional(),
});

export const flavours = ["chart-based", "operator"] as const;
export type Flavour = (typeof flavours)[number];

export const catalogSchema = z.strictObject({
  /** The catalog's name: the Gardener minor it installs, e.g. "1.86". */
  version: z.string().regex(/^\d+\.\d+$/, "MAJOR.MINOR of the Gardener it installs, e.g. 1.86"),
  /**
   * How the gardener stage installs Gardener: `chart-based` (the controlplane, etcd, kube-apiserver,
   * identity and dashboard charts, as 23KE did) or `operator` (gardener-operator, a Garden, Extensions
   * and a Gardenlet).
   */
  flavour: z.enum(flavours),
  /** The exact Gardener version, e.g. v1.86.0. */
  gardener: z.string().regex(/^v\d+\.\d+\.\d+$/, "a Gardener release, e.g. v1.149.3"),
  /** Where 23ke finds the virtual garden's kubeconfig in the base cluster. */
  virtualGardenAccess: z
    .strictObject({
      /** `{{systemNamespace}}` or a namespace. */
      namespace: z.union([name, z.literal("{{systemNamespace}}")]),
      secret: name,
      key: z.string().min(1),
    })
    .default({ namespace: "{{systemNamespace}}", secret: "gardener-internal-kubeconfig", key: "value" }),
  /**
   * A catalog still being brought up: listed and selectable with --catalog, never the default for
   * a new landscape. @default false
   */
  preview: z.boolean().default(false),
  /** Where the pinned versions come from (release notes, repositories), for readers. */
  sources: z.array(z.string().min(1)).default([]),
  /**
   * The Kubernetes minor versions a base cluster may run for this Gardener (Gardener's clients
   * refuse a runtime cluster outside its supported list), with where the range comes from.
   * `23ke doctor` checks the base cluster against it.
   */
  baseClusterKubernetes: z
    .strictObject({
      min: z.string().regex(/^1\.\d+$/, "a Kubernetes minor, e.g. 1.32"),
      max: z.string().regex(/^1\.\d+$/, "a Kubernetes minor, e.g. 1.36"),
      source: z.string().min(1),
    })
    .optional(),
  repositories: z.record(name, z.url()),
  components: z.array(componentSchema).min(1),
});

export type Catalog = z.infer<typeof catalogSchema>;
export type CatalogComponent = z.infer<typeof componentSchema>;
export type Injection = z.infer<typeof injectionSchema>;
export type PostRenderer = z.infer<typeof postRendererSchema>;
export type PostRenderOp = z.infer<typeof postRenderOpSchema>;
