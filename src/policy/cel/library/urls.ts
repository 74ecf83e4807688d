import { CelScalar, celFunc, celMethod, isCelMap, mapType, type CelFunc, type CelValue } from '@bufbuild/cel';

// k8s.io/apiserver/pkg/cel/library/urls.go. Kubernetes accepts absolute URIs and absolute paths
// (Go url.ParseRequestURI); a URL is a one-entry map keyed by a marker, like quantities.
const KEY = '@k8s.url';
const URLT = mapType(CelScalar.STRING, CelScalar.DYN);

function parse(s: string): URL | undefined {
  if (s.startsWith('/')) {
    try {
      return new URL(s, 'relative:///');
    } catch {
      return undefined;
    }
  }
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s)) return undefined;
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}

function read(v: CelValue): { url: URL; relative: boolean } {
  const raw = isCelMap(v) ? v.get(KEY) : undefined;
  if (typeof raw !== 'string') throw new Error('no such overload: not a URL');
  const url = parse(raw);
  if (!url) throw new Error('no such overload: not a URL');
  return { url, relative: raw.startsWith('/') };
}

/** The Kubernetes CEL `urls` library. */
export const urlFuncs: CelFunc[] = [
  celFunc('url', [CelScalar.STRING], URLT, (s) => {
    if (!parse(s)) {
      // Go's url.ParseRequestURI refuses a string that is neither absolute nor a rooted path so.
      const why = s.startsWith('/') || /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s) ? 'invalid URL' : 'invalid URI for request';
      throw new Error(`URL parse error during conversion from string: parse ${JSON.stringify(s)}: ${why}`);
    }
    return new Map([[KEY, s]]);
  }),
  celFunc('isURL', [CelScalar.STRING], CelScalar.BOOL, (s) => parse(s) !== undefined),
  celMethod('getScheme', URLT, [], CelScalar.STRING, function () {
    const { url, relative } = read(this);
    return relative ? '' : url.protocol.replace(/:$/, '');
  }),
  celMethod('getHost', URLT, [], CelScalar.STRING, function () {
    const { url, relative } = read(this);
    return relative ? '' : url.host;
  }),
  celMethod('getHostname', URLT, [], CelScalar.STRING, function () {
    const { url, relative } = read(this);
    return relative ? '' : url.hostname.replace(/^\[(.*)\]$/, '$1');
  }),
  celMethod('getPort', URLT, [], CelScalar.STRING, function () {
    const { url, relative } = read(this);
    return relative ? '' : url.port;
  }),
  celMethod('getEscapedPath', URLT, [], CelScalar.STRING, function () {
    return read(this).url.pathname;
  }),
  celMethod('getQuery', URLT, [], mapType(CelScalar.STRING, CelScalar.DYN), function () {
    const out = new Map<string, string[]>();
    for (const [k, v] of read(this).url.searchParams) out.set(k, [...(out.get(k) ?? []), v]);
    return out;
  }),
];
