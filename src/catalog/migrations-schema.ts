/**
 * The schema of a catalog's upgrade migrations (src/catalog/catalogs/<version>/migrations.yaml):
 * what an upgrade to this catalog must do besides `helm upgrade`, as data. Each kind is one of
 * the manual steps 23KE upgrades needed (ADR 0016):
 *
 * - `crds`: the chart's `crds/` changed; Helm installs that directory only on install, never on
 *   upgrade, so 23ke applies it (server-side apply) before the release is upgraded;
 * - `move`: an object moves from one release to another; it is handed over (Helm's ownership
 *   metadata) so that the new owner takes it over and the old one does not delete it;
 * - `rename`: a component (and so its release `<namespace>-<component>`) was renamed; the old
 *   release's objects are handed to the new release and the old release's records removed;
 * - `recreate-statefulset`: a StatefulSet's selector (immutable) changed; it is deleted leaving
 *   its pods and volume claims (propagation Orphan) and recreated by the upgrade.
 *
 * Every migration checks the live state before it acts, so it runs at most once in effect.
 */
import { z } from "zod";

const name = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "a lower-case DNS name (letters, digits, '-', '.')");
const namespace = z.union([name, z.literal("{{systemNamespace}}")]);
const description = z.string().min(1);

/** A component of this catalog. */
const component = z.strictObject({ component: name });

/**
 * A release by its component; `namespace` defaults to that of the component in this catalog, and
 * is needed for a component this catalog no longer has.
 */
const releaseRef = z.strictObject({ component: name, namespace: namespace.optional() });

export const crdsMigrationSchema = z.strictObject({
  type: z.literal("crds"),
  /** Why (shown by `plan`). */
  description,
  /** The component whose chart's `crds/` is applied before its upgrade. */
  component: name,
});

export const moveMigrationSchema = z.strictObject({
  type: z.literal("move"),
  description,
  object: z.strictObject({
    apiVersion: z.string().min(1),
    kind: z.string().min(1),
    name,
    /** Absent for cluster-scoped objects. */
    namespace: namespace.optional(),
  }),
  from: releaseRef,
  to: component,
});

export const renameMigrationSchema = z.strictObject({
  type: z.literal("rename"),
  description,
  /** The component of the catalog before (not one of this catalog's). */
  from: releaseRef,
  to: component,
});

export const recreateStatefulSetMigrationSchema = z.strictObject({
  type: z.literal("recreate-statefulset"),
  description,
  component: name,
  /** The StatefulSet's name, in the component's namespace. */
  statefulSet: name,
  /** The new `spec.selector.matchLabels`: a StatefulSet whose selector differs is recreated. */
  selector: z
    .record(z.string().min(1), z.string())
    .refine((m) => Object.keys(m).length > 0, { message: "at least one label" }),
});

export const migrationSchema = z.discriminatedUnion("type", [
  crdsMigrationSchema,
  moveMigrationSchema,
  renameMigrationSchema,
  recreateStatefulSetMigrationSchema,
]);

export const migrationsFileSchema = z.strictObject({
  /** The catalog these migrations lead to: the directory's name. */
  catalog: z.string().regex(/^\d+\.\d+$/, "MAJOR.MINOR, e.g. 1.87"),
  /** The catalog they lead from, for readers and for `plan`. */
  from: z.string().regex(/^\d+\.\d+$/, "MAJOR.MINOR, e.g. 1.86"),
  migrations: z.array(migrationSchema).min(1),
});

export type Migration = z.infer<typeof migrationSchema>;
export type MigrationsFile = z.infer<typeof migrationsFileSchema>;
