/**
 * Checks `dnsprovider` and `issuer`: the state external-dns-management and cert-management report
 * for the DNSProviders and the (cert.gardener.cloud) Issuers, with the controller's own message.
 * Their readiness is the proof that the DNS credentials and the ACME settings of the 23ke-config
 * work (DESIGN.md §5); readiness is judged by src/health as everywhere else.
 */
import { readiness } from "../../health/readiness.js";
import { finding, type Finding } from "../findings.js";
import type { DoctorFacts, Read, StatefulObject } from "../doctor-facts.js";
import { clusterOf, componentNamespace, readOr } from "./common.js";

interface Kind {
  check: string;
  kind: string;
  /** The component of the catalog that creates it, and the one that serves its kind. */
  component: string;
  controller: string;
  /** What to look at when the controller says no. */
  failedAdvice: string;
}

const DNS: Kind = {
  check: "dnsprovider",
  kind: "DNSProvider",
  component: "dnsprovider",
  controller: "external-dns-management",
  failedAdvice:
    "the DNS provider rejected the provider type or its credentials: check domains.global.provider and domains.global.credentials in the 23ke-config (the keys each provider needs: docs/config.md); the controller tries again when the Secret changes",
};

const ISSUER: Kind = {
  check: "issuer",
  kind: "Issuer",
  component: "issuer",
  controller: "cert-management",
  failedAdvice:
    "the ACME account could not be registered: check issuer.acme.email and issuer.acme.server in the 23ke-config (and issuer.ca for an ACME server with a private CA); the message above is the ACME server's answer",
};

function ref(o: StatefulObject): string {
  return `${o.kind} ${o.metadata.namespace === undefined ? "" : `${o.metadata.namespace}/`}${o.metadata.name}`;
}

function judge(f: DoctorFacts, k: Kind, fact: Read<StatefulObject[] | undefined>): Finding[] {
  const r = readOr(fact, k.check, `the ${k.kind}s`);
  if (r.finding !== undefined) return [r.finding];
  const catalog = f.catalog.catalog;
  const ns = componentNamespace(catalog, k.component, f.systemNamespace);
  if (k === ISSUER && f.config.issuerEnabled === false && (r.value ?? []).length === 0)
    return [finding(k.check, "ok", "issuer.enabled is false: no ACME Issuer")];
  if (r.value === undefined || r.value.length === 0)
    return [
      finding(
        k.check,
        "info",
        r.value === undefined
          ? `the ${k.kind} kind is not served yet: ${k.controller} brings it`
          : `no ${k.kind} yet`,
        ns === undefined
          ? ""
          : `the ${k.component} component creates it in namespace ${ns} from the 23ke-config; doctor then shows what ${k.controller} says about it`,
      ),
    ];
  return r.value.map((o) => {
    const h = readiness(o);
    if (h.ready) return finding(k.check, "ok", `${ref(o)} is Ready`, "", ref(o));
    if (h.failed === true) {
      // readiness says "<Kind> reports <state>: <the controller's message>"
      const said = h.message.startsWith(`${o.kind} `) ? h.message.slice(o.kind.length + 1) : `: ${h.message}`;
      return finding(k.check, "error", `${ref(o)} ${said}`, k.failedAdvice, ref(o));
    }
    return finding(
      k.check,
      "warning",
      `${ref(o)} is not Ready: ${h.message}`,
      `${k.controller} is still working on it; if it stays so, see kubectl describe ${k.kind.toLowerCase()} -n ${o.metadata.namespace ?? ""} ${o.metadata.name} and the ${k.controller} logs`,
      ref(o),
    );
  });
}

export function checkDnsProvider(f: DoctorFacts): Finding[] {
  const c = clusterOf(f);
  return c === undefined ? [] : judge(f, DNS, c.dnsProviders);
}

export function checkIssuer(f: DoctorFacts): Finding[] {
  const c = clusterOf(f);
  return c === undefined ? [] : judge(f, ISSUER, c.issuers);
}
