import { mkdir, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import { SyncgateError } from '../errors/index.js';
import { toYamlStream, type K8sObject } from '../k8s/index.js';

/** The file name of the manifests inside the output directory or archive. */
export const MANIFESTS_FILE = 'manifests.yaml';

async function gzipTar(name: string, text: string): Promise<Buffer> {
  const p = pack();
  const gz = createGzip();
  const chunks: Buffer[] = [];
  gz.on('data', (b: Buffer) => chunks.push(b));
  const done = new Promise<void>((resolve, reject) => {
    gz.on('end', resolve);
    gz.on('error', reject);
    p.on('error', reject);
  });
  p.pipe(gz);
  // A fixed mtime keeps the archive (and its OCI digest) reproducible.
  p.entry({ name, mode: 0o644, mtime: new Date(0) }, text);
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

/**
 * Writes what Flux should sync: `<dir>/manifests.yaml`, or a `.tgz`/`.tar.gz` holding it
 * (for `flux push artifact`). Written to a sibling temp path and renamed, so a failure leaves
 * nothing behind. A directory target must not exist or be empty.
 */
export async function writeOutput(objects: readonly K8sObject[], target: string): Promise<string> {
  const text = toYamlStream(objects);
  const tmp = join(dirname(target), `.${basename(target)}.syncgate-${process.pid}-${Date.now()}`);
  try {
    if (/\.(tgz|tar\.gz)$/.test(target)) {
      await writeFile(tmp, await gzipTar(MANIFESTS_FILE, text), { mode: 0o644 });
      await rename(tmp, target);
      return target;
    }
    const existing = await readdir(target).catch((e: unknown) => {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    });
    if (existing !== undefined && existing.length > 0) {
      throw new SyncgateError('FLUX_OUTPUT_FAILED', `${target}: output directory is not empty`);
    }
    await mkdir(tmp, { mode: 0o755 });
    await writeFile(join(tmp, MANIFESTS_FILE), text, { mode: 0o644 });
    if (existing !== undefined) await rmdir(target);
    await rename(tmp, target);
    return join(target, MANIFESTS_FILE);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    if (e instanceof SyncgateError) throw e;
    throw new SyncgateError('FLUX_OUTPUT_FAILED', `${target}: cannot write output: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}
