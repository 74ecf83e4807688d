import type { GateConfig } from '../../config/index.js';
import { asString } from '../fields.js';
import { parseImage, type ImageRef } from '../image.js';
import { podViewOf, type ContainerRef } from '../podspec.js';
import type { Resource } from '../../k8s/index.js';
import type { Policy, Violation } from '../types.js';

interface Image {
  c: ContainerRef;
  image: string;
  ref: ImageRef;
}

const imageCache = new WeakMap<object, readonly Image[]>();

function imagesOf(r: Resource): readonly Image[] {
  const view = podViewOf(r.object);
  if (!view) return [];
  let images = imageCache.get(r.object);
  if (!images) {
    images = view.containers.flatMap((c) => {
      const image = asString(c.container['image']);
      return image === undefined || image === '' ? [] : [{ c, image, ref: parseImage(image) }];
    });
    imageCache.set(r.object, images);
  }
  return images;
}

const prefixCache = new WeakMap<GateConfig, readonly string[]>();

/** Allowed prefixes, normalised like image names (`nginx` → `docker.io/library/nginx`). */
function allowedPrefixes(config: GateConfig): readonly string[] {
  let p = prefixCache.get(config);
  if (!p) {
    p = config.spec.policies.options['supply-chain'].allowedRegistries.map((e) => {
      const trailing = e.endsWith('/');
      const bare = trailing ? e.slice(0, -1) : e;
      const first = bare.split('/')[0] ?? '';
      if (first.includes('.') || first.includes(':') || first === 'localhost') return bare;
      return bare.includes('/') ? `docker.io/${bare}` : `docker.io/library/${bare}`;
    });
    prefixCache.set(config, p);
  }
  return p;
}

function allowed(ref: ImageRef, prefixes: readonly string[]): boolean {
  // allowedPrefixes strips trailing slashes, so `${p}/` covers `registry/` entries too.
  return prefixes.some((p) => ref.name === p || ref.name.startsWith(`${p}/`));
}

function each(r: Resource, f: (i: Image, out: Violation[]) => void): Violation[] {
  const out: Violation[] = [];
  for (const i of imagesOf(r)) f(i, out);
  return out;
}

/** The supply-chain pack. */
export const supplyChainPolicies: readonly Policy[] = [
  {
    id: 'supply-chain/image-tag', pack: 'supply-chain', name: 'image-tag', scope: 'object', severity: 'medium',
    rule: 'images must name a tag other than `latest` (or a digest)',
    remediation: 'pin the image to a version tag or a digest',
    references: { kubescape: 'C-0075', checkov: 'CKV_K8S_14' },
    check: (r) =>
      each(r, ({ c, image, ref }, out) => {
        if (ref.digest !== undefined) return;
        if (ref.tag === undefined) out.push({ path: `${c.path}.image`, message: `container ${JSON.stringify(c.name)} image ${JSON.stringify(image)} has no tag` });
        else if (ref.tag === 'latest') out.push({ path: `${c.path}.image`, message: `container ${JSON.stringify(c.name)} image ${JSON.stringify(image)} uses the latest tag` });
      }),
  },
  {
    id: 'supply-chain/image-digest', pack: 'supply-chain', name: 'image-digest', scope: 'object', severity: 'medium',
    rule: 'images must be pinned by digest (only when options.supply-chain.requireDigest is true)',
    remediation: 'reference the image as repo@sha256:<digest> (tag optional)',
    references: { checkov: 'CKV_K8S_43' },
    check: (r, ctx) =>
      ctx.config.spec.policies.options['supply-chain'].requireDigest
        ? each(r, ({ c, image, ref }, out) => {
            if (ref.digest === undefined) out.push({ path: `${c.path}.image`, message: `container ${JSON.stringify(c.name)} image ${JSON.stringify(image)} is not pinned by digest` });
          })
        : [],
  },
  {
    id: 'supply-chain/allowed-registries', pack: 'supply-chain', name: 'allowed-registries', scope: 'object', severity: 'high',
    rule: 'images must come from options.supply-chain.allowedRegistries (when the list is not empty)',
    remediation: 'mirror the image into an allowed registry and reference it there',
    references: { kubescape: 'C-0078' },
    check(r, ctx) {
      const prefixes = allowedPrefixes(ctx.config);
      if (prefixes.length === 0) return [];
      return each(r, ({ c, image, ref }, out) => {
        if (!allowed(ref, prefixes)) out.push({ path: `${c.path}.image`, message: `container ${JSON.stringify(c.name)} image ${JSON.stringify(image)} is not from an allowed registry` });
      });
    },
  },
];
