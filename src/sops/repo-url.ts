/** Default ports dropped from a normalised repo URL. */
const DEFAULT_PORTS: Record<string, string> = { https: '443', http: '80', ssh: '22', git: '9418' };
/** A control character, whitespace or backslash: never part of a repo URL we can match. */
function hasControl(s: string, space: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x5c || (space && /\s/.test(s.charAt(i)))) return true;
  }
  return false;
}
const SCP_LIKE = /^([A-Za-z0-9._~-]+@)?([A-Za-z0-9.-]+):(?!\/\/)(.*)$/;

/**
 * A repo URL in the one form key grants are matched on: scheme and host in lower case, no user
 * info, no default port, percent-encoding decoded, dot segments resolved, no trailing `/` or
 * `.git`; scp-like `git@host:path` becomes `ssh://host/path`. Undefined when it cannot be
 * normalised without guessing (an encoded `/` or `\`, a `..` above the root, a query, fragment,
 * control character or bad escape): such a URL is granted nothing.
 */
export function normalizeRepoURL(raw: string): string | undefined {
  let text = raw.trim();
  if (text === '' || hasControl(text, true)) return undefined;
  const scp = SCP_LIKE.exec(text);
  if (scp && !/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text)) text = `ssh://${scp[2]!}/${scp[3]!.replace(/^\/+/, '')}`;
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)$/.exec(text);
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  const authority = m[2]!.replace(/^[^@]*@/, '');
  const hp = /^(\[[0-9A-Fa-f:.]+\]|[^:]+)(?::([0-9]*))?$/.exec(authority);
  if (!hp) return undefined;
  let host = hp[1]!.toLowerCase();
  if (/%/.test(host)) return undefined;
  host = host.replace(/\.$/, '');
  const port = hp[2] === undefined || hp[2] === '' || hp[2] === DEFAULT_PORTS[scheme] ? '' : `:${String(Number(hp[2]))}`;
  if (host === '') return undefined;
  const segments: string[] = [];
  for (const raw of m[3]!.split('/')) {
    if (/%(2f|5c)/i.test(raw)) return undefined;
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (hasControl(seg, false)) return undefined;
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (segments.length === 0) return undefined;
      segments.pop();
      continue;
    }
    segments.push(seg);
  }
  const last = segments.length - 1;
  if (last >= 0 && segments[last]!.endsWith('.git')) segments[last] = segments[last]!.slice(0, -4);
  if (last >= 0 && segments[last] === '') segments.pop();
  return `${scheme}://${host}${port}${segments.length ? `/${segments.join('/')}` : ''}`;
}
