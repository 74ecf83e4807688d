// What kustomize would fetch instead of reading a local path: URLs, scp-style git, go-getter
// forms, hosted-git shorthands, `?ref=` and `repo//subdir` (kustomize api/internal/git/repospec.go).
const REMOTE = [
  /^[a-z][a-z0-9+.-]*:\/\//i,
  /^[a-z][a-z0-9+.-]*::/i,
  /^[\w.-]+@[\w.-]+:/,
  /^(github\.com|gitlab\.com|bitbucket\.org|dev\.azure\.com|ssh\.dev\.azure\.com|[\w-]+\.visualstudio\.com)(\/|:)/i,
  /[?&](ref|version|submodules|timeout)=/,
  /\.git(\/|$|\?)/,
  /\/_git\//,
  /^[^/]+\.[^/]+\/.*\/\//,
];

/** True when kustomize would treat `p` as something to download rather than a path in the repo. */
export function isRemoteReference(p: string): boolean {
  return REMOTE.some((r) => r.test(p.trim()));
}
