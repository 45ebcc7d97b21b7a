/**
 * A kubeconfig that authenticates as a ServiceAccount: a token from the TokenRequest API (as the
 * kubelet mounts one into a pod), the server and CA of the admin kubeconfig. A process given it
 * has exactly the rights RBAC grants that ServiceAccount.
 */
import { writeFileSync } from "node:fs";
import { parse, stringify } from "yaml";
import { readFileSync } from "node:fs";
import type { KubeClient } from "../../src/kube/client.js";

export async function serviceAccountToken(
  admin: KubeClient,
  namespace: string,
  name: string,
): Promise<string> {
  const r = await admin.request(
    "POST",
    `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
    JSON.stringify({
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { expirationSeconds: 3600 },
    }),
  );
  if (r.status !== 201)
    throw new Error(`TokenRequest for ${namespace}/${name}: ${r.status} ${r.body.slice(0, 300)}`);
  return (JSON.parse(r.body) as { status: { token: string } }).status.token;
}

/** Writes `file`: the admin kubeconfig's cluster, the ServiceAccount's token as the user (0600). */
export async function writeServiceAccountKubeconfig(o: {
  admin: KubeClient;
  adminKubeconfig: string;
  namespace: string;
  name: string;
  file: string;
}): Promise<void> {
  const token = await serviceAccountToken(o.admin, o.namespace, o.name);
  const admin = parse(readFileSync(o.adminKubeconfig, "utf8")) as {
    clusters: { name: string; cluster: Record<string, unknown> }[];
  };
  const cluster = admin.clusters[0];
  if (cluster === undefined) throw new Error(`${o.adminKubeconfig} names no cluster`);
  const user = `system:serviceaccount:${o.namespace}:${o.name}`;
  writeFileSync(
    o.file,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "base", cluster: cluster.cluster }],
      users: [{ name: user, user: { token } }],
      contexts: [{ name: "sa", context: { cluster: "base", user } }],
      "current-context": "sa",
    }),
    { mode: 0o600 },
  );
}

/** Who the apiserver says `client` is (SelfSubjectReview). */
export async function whoAmI(client: KubeClient): Promise<string> {
  const r = await client.request(
    "POST",
    "/apis/authentication.k8s.io/v1/selfsubjectreviews",
    JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" }),
  );
  if (r.status !== 201) throw new Error(`SelfSubjectReview: ${r.status} ${r.body.slice(0, 300)}`);
  return (JSON.parse(r.body) as { status: { userInfo: { username: string } } }).status.userInfo.username;
}
