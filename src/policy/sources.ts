import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Where a needle was found in the repo's files: a path relative to the root and a 1-based line. */
export interface SourceHit {
  file: string;
  line: number;
}

/** Caps on what a scan reads from the repo (a hostile repo must not make the scan read without end). */
export interface SourceLimits {
  /** Largest single file read (bigger files are skipped). */
  fileBytes: number;
  /** Total bytes read. */
  totalBytes: number;
  /** Files read. */
  files: number;
}

const DEFAULT_LIMITS: SourceLimits = { fileBytes: 2 * 1024 * 1024, totalBytes: 64 * 1024 * 1024, files: 20000 };
const SKIP_DIRS = new Set(['.git', 'node_modules']);

/**
 * The repo's committed files as text, for policies that ask "is this value written in the repo?"
 * (values files, templates, kustomizations, generator inputs, plain manifests). Read lazily, once,
 * only when a policy asks; symlinks are not followed, binary and oversized files are skipped.
 * A value found here is never returned, only where it is.
 */
export class SourceFiles {
  private loaded: { file: string; text: string }[] | undefined;
  /** Set when a limit cut the walk short (the caller may report it). */
  truncated = false;

  /**
   * @param root directory to walk (the repo root), or undefined
   * @param texts files already in memory (a scanned file, stdin), by display name
   * @param prefix prepended to paths under root in hits (`examples/app/`); default none
   */
  constructor(
    private readonly root: string | undefined,
    private readonly texts: readonly { file: string; text: string }[] = [],
    private readonly prefix = '',
    private readonly limits: SourceLimits = DEFAULT_LIMITS,
  ) {}

  private files(): readonly { file: string; text: string }[] {
    if (this.loaded) return this.loaded;
    const out = [...this.texts];
    if (this.root !== undefined) this.walk(this.root, out, { bytes: 0 });
    this.loaded = out;
    return out;
  }

  private walk(dir: string, out: { file: string; text: string }[], seen: { bytes: number }): void {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (out.length >= this.limits.files) {
        this.truncated = true;
        return;
      }
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) this.walk(p, out, seen);
        continue;
      }
      if (!e.isFile()) continue; // symlinks, sockets: not followed
      let size: number;
      try {
        size = lstatSync(p).size;
      } catch {
        continue;
      }
      if (size === 0 || size > this.limits.fileBytes) continue;
      if (seen.bytes + size > this.limits.totalBytes) {
        this.truncated = true;
        return;
      }
      const text = readText(p, size);
      if (text === undefined) continue;
      seen.bytes += size;
      out.push({ file: this.prefix + relative(this.root ?? '', p).split(sep).join('/'), text });
    }
  }

  /**
   * The first place `needle` occurs as a whole token (no letter or digit right before or after
   * it), or undefined. A multi-line needle is looked for by its longest line.
   */
  locate(needle: string): SourceHit | undefined {
    let n = needle;
    if (n.includes('\n')) {
      n = n.split('\n').map((l) => l.trim()).reduce((a, b) => (b.length > a.length ? b : a), '');
      if (n.length < 20) return undefined;
    }
    if (n === '') return undefined;
    for (const { file, text } of this.files()) {
      let i = text.indexOf(n);
      while (i >= 0) {
        if (!wordChar(text.charCodeAt(i - 1)) && !wordChar(text.charCodeAt(i + n.length))) {
          return { file, line: lineAt(text, i) };
        }
        i = text.indexOf(n, i + 1);
      }
    }
    return undefined;
  }
}

function wordChar(c: number): boolean {
  // NaN (before the start, after the end) is not a word character.
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** The file as UTF-8 text, or undefined when it looks binary (a NUL byte in its first 8 KiB). */
function readText(path: string, size: number): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(Math.min(size, 8192));
    readSync(fd, head, 0, head.length, 0);
    if (head.includes(0)) return undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
