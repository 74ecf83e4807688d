/** An image reference split the way the container runtime reads it. */
export interface ImageRef {
  /** Registry host, `docker.io` when the reference names none. */
  registry: string;
  /** Registry + repository, e.g. `docker.io/library/nginx`. */
  name: string;
  tag?: string;
  digest?: string;
}

/** Parses `[registry/]repo[:tag][@digest]` as the distribution reference grammar does. */
export function parseImage(image: string): ImageRef {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const first = rest.indexOf('/');
  const head = first < 0 ? '' : rest.slice(0, first);
  // Docker's rule: the first component is a registry only if it has a dot or port, or is localhost.
  const hasRegistry = first >= 0 && (head.includes('.') || head.includes(':') || head === 'localhost');
  const registry = hasRegistry ? head : 'docker.io';
  const repo = hasRegistry ? rest.slice(first + 1) : first < 0 ? `library/${rest}` : rest;
  return { registry, name: `${registry}/${repo}`, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}
