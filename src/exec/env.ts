/** Variables a render tool may see from the sidecar's own environment (never the request's). */
const ALLOWED = ['PATH', 'LANG', 'LC_ALL', 'TZ', 'SSL_CERT_FILE', 'SSL_CERT_DIR'];

/**
 * Builds the scrubbed env for a render tool: an allow-list of the process env, HOME and cache
 * dirs pointed into the request's work dir, proxies pointed nowhere unless the network is allowed.
 */
export function toolEnv(
  workDir: string,
  extra: Readonly<Record<string, string>> = {},
  opts: { allowNetwork?: boolean } = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ALLOWED) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  env['HOME'] = workDir;
  env['XDG_CACHE_HOME'] = `${workDir}/.cache`;
  env['XDG_CONFIG_HOME'] = `${workDir}/.config`;
  env['XDG_DATA_HOME'] = `${workDir}/.data`;
  if (!opts.allowNetwork) {
    // A closed proxy makes any HTTP(S) fetch fail fast instead of reaching the network.
    env['HTTP_PROXY'] = env['HTTPS_PROXY'] = env['http_proxy'] = env['https_proxy'] = 'http://127.0.0.1:9';
    env['NO_PROXY'] = env['no_proxy'] = '';
  }
  return { ...env, ...extra };
}
