// Kind → resource (plural) without a cluster to ask: a table of the built-in kinds and the
// common add-ons, then the apimachinery guess (lowercase; -s → -ses, consonant-y → -ies, else -s).
const PLURALS: Record<string, string> = {
  Endpoints: 'endpoints',
  Gateway: 'gateways',
  GatewayClass: 'gatewayclasses',
  Ingress: 'ingresses',
  IngressClass: 'ingressclasses',
  NetworkPolicy: 'networkpolicies',
  PodSecurityPolicy: 'podsecuritypolicies',
  PriorityClass: 'priorityclasses',
  RuntimeClass: 'runtimeclasses',
  StorageClass: 'storageclasses',
  VolumeAttributesClass: 'volumeattributesclasses',
  DeviceClass: 'deviceclasses',
};

/** The resource name (plural, lower case) Kubernetes serves a kind under. */
export function resourceFor(kind: string): string {
  const known = PLURALS[kind];
  if (known !== undefined) return known;
  const lower = kind.toLowerCase();
  if (lower.endsWith('s')) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}
