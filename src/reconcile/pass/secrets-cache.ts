/**
 * The Secrets of the system namespace (values layers, generated secrets, kubeconfigs) as the
 * release units read them: listed once, and again only after a component became ready, since
 * its release may have written some. Holds Secret data: never log or report what it returns.
 */
import type { KubeClient, KubeObject } from "../../kube/client.js";
import type { SecretData } from "../component-values.js";

export class SecretsCache {
  private pending: Promise<SecretData> | undefined;
  constructor(
    private readonly client: Pick<KubeClient, "list">,
    private readonly ns: string,
  ) {}
  get(): Promise<SecretData> {
    this.pending ??= this.client
      .list<KubeObject & { data?: Record<string, string> }>("v1", "Secret", this.ns)
      .then(
        (list) => new Map(list.map((s) => [s.metadata.name, s.data ?? {}])),
        (e: unknown) => {
          this.pending = undefined;
          throw e;
        },
      );
    return this.pending;
  }
  invalidate(): void {
    this.pending = undefined;
  }
}
