/**
 * What the identity 23ke runs as may do, asked of the apiserver itself: SelfSubjectAccessReview
 * (authorization.k8s.io/v1) per verb and resource, and SelfSubjectReview
 * (authentication.k8s.io/v1) for who that identity is. Read-only questions: the apiserver
 * stores nothing. The answers name users, groups and RBAC objects, never credentials.
 */
import type { KubeClient, KubeObject } from "./client.js";

/** One question: may I `verb` `resource` (in `group`, in `namespace`)? */
export interface AccessQuestion {
  verb: string;
  /** The API group; "" for the core group. */
  group: string;
  resource: string;
  /** Undefined for cluster-scoped resources or "in every namespace". */
  namespace?: string;
}

export interface AccessAnswer extends AccessQuestion {
  allowed: boolean;
  /** The authorizer's explanation, when it gives one (which role allowed it, why not). */
  reason?: string;
}

interface AccessReview extends KubeObject {
  status?: { allowed?: boolean; denied?: boolean; reason?: string; evaluationError?: string };
}

export type AccessReviewClient = Pick<KubeClient, "create">;

/** Asks each question with a SelfSubjectAccessReview; the questions run in parallel. */
export async function reviewAccess(
  client: AccessReviewClient,
  questions: readonly AccessQuestion[],
): Promise<AccessAnswer[]> {
  return await Promise.all(
    questions.map(async (q) => {
      const review = await client.create<AccessReview>({
        apiVersion: "authorization.k8s.io/v1",
        kind: "SelfSubjectAccessReview",
        metadata: { name: "" },
        spec: {
          resourceAttributes: {
            verb: q.verb,
            group: q.group,
            resource: q.resource,
            ...(q.namespace === undefined ? {} : { namespace: q.namespace }),
          },
        },
      });
      const s = review?.status ?? {};
      const reason = s.reason ?? s.evaluationError;
      return {
        ...q,
        allowed: s.allowed === true,
        ...(reason === undefined || reason === "" ? {} : { reason }),
      };
    }),
  );
}

/** Who the client's credentials authenticate as. */
export interface Identity {
  username: string;
  groups: string[];
}

interface SelfSubjectReview extends KubeObject {
  status?: { userInfo?: { username?: string; groups?: string[] } };
}

/** The identity of the client's credentials (SelfSubjectReview, Kubernetes ≥ 1.28). */
export async function whoAmI(client: AccessReviewClient): Promise<Identity> {
  const r = await client.create<SelfSubjectReview>({
    apiVersion: "authentication.k8s.io/v1",
    kind: "SelfSubjectReview",
    metadata: { name: "" },
  });
  const u = r?.status?.userInfo ?? {};
  return { username: u.username ?? "", groups: u.groups ?? [] };
}
