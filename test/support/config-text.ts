/** The smallest valid 23ke-config as text, for tests that layer their own keys on top. */
const b64 = (s: string): string => Buffer.from(s).toString("base64");

export const MINIMAL_CONFIG = `issuer:
  acme:
    email: ops@example.org
domains:
  global:
    domain: gardener.example.org
    provider: aws-route53
    credentials:
      AWS_ACCESS_KEY_ID: ${b64("id")}
      AWS_SECRET_ACCESS_KEY: ${b64("secret")}
`;
