import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { SyncgateError } from '../errors/index.js';
import { isInside } from '../repo/index.js';

/** Entries next to a missing path whose names start like it (a typo such as `helm-ap`). */
function lookAlikes(p: string): string[] {
  const dir = dirname(p);
  const stem = basename(p).slice(0, Math.max(3, basename(p).length - 2)).toLowerCase();
  try {
    return readdirSync(dir)
      .filter((e) => e.toLowerCase().startsWith(stem) && !e.startsWith('.'))
      .slice(0, 3)
      .map((e) => (dir === '.' ? e : join(dir, e)));
  } catch {
    return [];
  }
}

/**
 * Checks a path given on the command line before anything runs, so the same mistake gets the same
 * code (USAGE_PATH_NOT_FOUND, exit 2) whichever command it was given to, worded for the flag or
 * argument the user typed. Returns the absolute path.
 */
export function commandLinePath(p: string, what: string, kind: 'directory' | 'file or directory'): string {
  const abs = resolve(p);
  if (!existsSync(abs)) {
    const alike = lookAlikes(p);
    throw new SyncgateError('USAGE_PATH_NOT_FOUND', `${what} ${p}: no such file or directory${alike.length ? ` (did you mean ${alike.join(' or ')}?)` : ''}`);
  }
  if (kind === 'directory' && !statSync(abs).isDirectory()) throw new SyncgateError('USAGE_PATH_NOT_FOUND', `${what} ${p}: not a directory`);
  return abs;
}

/**
 * Checks `-f` values files: they are relative to the app directory and must stay inside the repo
 * root (the app directory unless --repo-root says otherwise), like Argo CD's `valueFiles`. The
 * message says so, and names the right path when the user gave one relative to the cwd.
 */
export function checkValuesFlags(files: readonly string[], appDir: string, repoRoot: string, appArg: string): void {
  for (const f of files) {
    if (isAbsolute(f)) throw new SyncgateError('RENDER_PATH_OUTSIDE_REPO', `-f ${f}: absolute paths are not allowed: give the path relative to the app directory ${appArg}`);
    const full = resolve(appDir, f);
    // Lexical here, for the hint; the SOPS stage and the renderer resolve symlinks (src/repo).
    if (!isInside(repoRoot, full)) {
      throw new SyncgateError(
        'RENDER_PATH_OUTSIDE_REPO',
        `-f ${f}: resolves outside the repo root ${relative('.', repoRoot) || '.'} (values files are relative to the app directory ${appArg}; give --repo-root to allow files beside it)`,
      );
    }
    if (!existsSync(full)) {
      const fromCwd = resolve(f);
      const hint = existsSync(fromCwd) && relative(appDir, fromCwd) !== '' ? `: -f is relative to the app directory ${appArg}, so write -f ${relative(appDir, fromCwd)}` : `: -f is relative to the app directory ${appArg}`;
      throw new SyncgateError('RENDER_PATH_NOT_FOUND', `-f ${f}: no such file${hint}`);
    }
  }
}

// Helm's release-name rule (helm pkg/chartutil ValidateReleaseName: a DNS-1123 subdomain of at
// most 53 characters) and Kubernetes' object-name rule for Argo CD Application names.
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SUBDOMAIN_RULE = "lower-case letters, digits, '-' and '.', starting and ending with a letter or digit";

/** Refuses an --app (or, for a Helm chart, a release name) that Argo CD or helm would refuse; never rewrites it. */
export function checkAppNames(app: string, appFrom: string, releaseName: string | undefined, helm: boolean): void {
  if (app.length > 253 || !DNS1123_SUBDOMAIN.test(app)) {
    throw new SyncgateError('USAGE_INVALID', `${appFrom} ${JSON.stringify(app)}: not a valid application name: use ${SUBDOMAIN_RULE}, at most 253 characters`);
  }
  if (!helm) return;
  const release = releaseName ?? app;
  const releaseFrom = releaseName === undefined ? `${appFrom} ${JSON.stringify(app)} (the default Helm release name)` : `--release-name ${JSON.stringify(release)}`;
  if (release.length > 53 || !DNS1123_SUBDOMAIN.test(release)) {
    throw new SyncgateError(
      'USAGE_INVALID',
      `${releaseFrom}: not a valid Helm release name: use ${SUBDOMAIN_RULE}, at most 53 characters${releaseName === undefined ? ' (or give --release-name)' : ''}`,
    );
  }
}
