import { cp, mkdir, open, unlink } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { displayPath, walkKustomization, type KustomizationRef, type KustomizationTree } from '../repo/index.js';
import { audit } from './audit.js';
import { emitTree } from './emit.js';
import { collectCiphertexts, type VerifiedValues } from './object-tree.js';
import { decryptRepoFile, readSopsFile, type PrepareContext } from './repo-file.js';
import { decryptAudited, remember } from './request-keys.js';

const GENERATOR_INPUT = /^(configMapGenerator|secretGenerator)\.(files|envs|env)$/;
const MANIFEST = /\.(ya?ml|json)$/i;

async function writePrivate(path: string, data: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await unlink(path).catch(() => undefined);
  const fh = await open(path, 'wx', 0o600);
  try {
    await fh.writeFile(data);
  } finally {
    await fh.close();
  }
}

/**
 * kustomize re-orders fields and adds some (namespace, labels), so the MAC of a SOPS resource no
 * longer matches its rendered form. Its file is verified (MAC) and decrypted before the build
 * instead; after it, an object's ciphertexts are accepted only when each is a ciphertext of a
 * verified file at the same key path (the path is also the value's AAD).
 */
async function verifyResourceFiles(ctx: PrepareContext, files: readonly KustomizationRef[], verified: VerifiedValues): Promise<void> {
  const { req } = ctx;
  for (const f of files) {
    const rel = displayPath(ctx.repoRoot, f.real);
    let doc;
    try {
      doc = readSopsFile(f.real, rel);
    } catch {
      continue; // kustomize reports a broken resource itself
    }
    if (doc === undefined) continue;
    const c = await ctx.choice();
    const d = await decryptAudited(req, rel, doc, c);
    remember(req, ctx.material, d.plaintexts, d.keyNames);
    audit(req, rel, d.keyNames, 'ok');
    doc.branches.forEach((b, i) => {
      const db = d.branches[i];
      if (db) collectCiphertexts(b, db, [], d.keyNames, verified);
    });
  }
}

export interface PreparedKustomization {
  /** Where kustomize should build: a private copy with decrypted generator inputs, or the repo itself. */
  repoRoot: string;
  appDir: string;
  decrypted: { file: string; keys: string[] }[];
  /** The walk of the app dir in the repo, for the render to reuse when it builds the same tree. */
  tree: KustomizationTree;
}

/**
 * Walks the app's kustomization tree with the repo's one walk: SOPS resource files are verified
 * into `verified`, encrypted generator inputs (files/envs) are decrypted into a private copy of
 * the repo under `workDir` (0600), which the render then builds instead of the repo.
 */
export async function prepareKustomization(ctx: PrepareContext, appDir: string, workDir: string, verified: VerifiedValues): Promise<PreparedKustomization> {
  const { repoRoot } = ctx;
  const tree = walkKustomization(appDir, repoRoot);
  const { refs } = tree;
  const out: PreparedKustomization = { repoRoot, appDir, decrypted: [], tree };
  const unique = (rs: KustomizationRef[]): KustomizationRef[] => [...new Map(rs.map((r) => [r.real, r])).values()];
  await verifyResourceFiles(ctx, unique(refs.filter((r) => r.field === 'resources' && !r.isDirectory && MANIFEST.test(r.real))), verified);
  const decryptedInputs: { rel: string; out: Buffer }[] = [];
  // Written in the copy at the path kustomize opens (a symlink there is replaced by the plaintext).
  for (const r of unique(refs.filter((x) => GENERATOR_INPUT.test(x.field) && !x.isDirectory))) {
    const rel = displayPath(repoRoot, r.lexical);
    const res = await decryptRepoFile(ctx, r.real, rel);
    if (!res) continue;
    decryptedInputs.push({ rel, out: emitTree(res.format, res.branches) });
    out.decrypted.push({ file: rel, keys: res.keyNames });
  }
  if (decryptedInputs.length > 0) {
    const copy = join(workDir, 'sops-repo');
    await cp(repoRoot, copy, { recursive: true, verbatimSymlinks: true, filter: (src) => basename(src) !== '.git' });
    for (const d of decryptedInputs) await writePrivate(join(copy, d.rel), d.out);
    out.repoRoot = copy;
    out.appDir = join(copy, relative(repoRoot, appDir));
  }
  return out;
}
