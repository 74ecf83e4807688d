import { createHash, timingSafeEqual, type Hash } from 'node:crypto';
import { CipherError, decryptValue } from './cipher.js';
import { macAad, type SelectionRule, type SopsMetadata } from './metadata.js';
import { macBytes } from './scalar.js';
import type { CommentNode, MapItem, MapNode, Scalar, TreeNode } from './tree.js';

/** Why a tree failed to decrypt; `path` names where (keys joined with `:`), never the value. */
export class TreeError extends Error {
  constructor(
    readonly reason: 'not-encrypted' | 'failed' | 'bad-type' | 'mac-missing' | 'mac-mismatch',
    message: string,
    readonly path?: string,
  ) {
    super(message);
  }
}

// sha256("sops"): prepended when mac_only_encrypted so both MAC kinds never collide (sops.go).
const MAC_ONLY_INIT = createHash('sha256').update('sops').digest();

function shouldBeEncrypted(rule: SelectionRule, path: readonly string[], stack: readonly (readonly string[])[], isComment: boolean): boolean {
  switch (rule.kind) {
    case 'unencrypted_suffix':
      return !path.some((p) => p.endsWith(rule.value));
    case 'encrypted_suffix':
      return path.some((p) => p.endsWith(rule.value));
    case 'unencrypted_regex':
      return !path.some((p) => rule.re.test(p));
    case 'encrypted_regex':
      return path.some((p) => rule.re.test(p));
    case 'unencrypted_comment_regex':
      return !stack.some((cs) => cs.some((c) => rule.re.test(c)));
    case 'encrypted_comment_regex': {
      const li = stack.length - 1;
      const lj = (stack[li]?.length ?? 0) - 1;
      return stack.some((cs, i) =>
        // The comment line that matches stays clear itself: skip the newest comment when judging a comment.
        cs.some((c, j) => !(isComment && i === li && j === lj) && rule.re.test(c)),
      );
    }
  }
}

interface Walk {
  key: Buffer;
  meta: SopsMetadata;
  hash: Hash;
  plaintexts: string[];
}

function leafOut(w: Walk, node: Extract<TreeNode, { kind: 'leaf' }>, path: string[], stack: string[][]): TreeNode | undefined {
  const encrypted = shouldBeEncrypted(w.meta.rule, path, stack, false);
  let v: Scalar = node.value;
  if (encrypted) {
    if (v.t !== 'str') throw new TreeError('not-encrypted', 'expected an encrypted value, found a cleartext non-string', path.join(':'));
    try {
      const p = decryptValue(v.s, w.key, path.length ? `${path.join(':')}:` : ':');
      // sops <= 3.13.1 wrote list comments as `- ENC[…,type:comment]`; comments are never hashed (sops#2243).
      if (p.comment) return undefined;
      v = p.value;
    } catch (e) {
      if (e instanceof CipherError) throw new TreeError(e.reason, e.message, path.join(':'));
      throw e;
    }
    if (v.t === 'str') w.plaintexts.push(v.s);
    else if (v.t === 'bytes') w.plaintexts.push(v.buf.toString('utf8'));
  }
  if (!w.meta.macOnlyEncrypted || encrypted) w.hash.update(macBytes(v));
  return { kind: 'leaf', value: v };
}

function commentOut(w: Walk, c: CommentNode, path: string[], stack: string[][]): CommentNode {
  if (!shouldBeEncrypted(w.meta.rule, path, stack, true)) return c;
  try {
    const p = decryptValue(c.text, w.key, `${path.join(':')}:`);
    return p.comment ? { kind: 'comment', text: p.text } : c;
  } catch {
    // sops keeps a comment it cannot decrypt as plaintext (files from older sops).
    return c;
  }
}

function walkValue(w: Walk, node: TreeNode, path: string[], stack: string[][]): TreeNode | undefined {
  switch (node.kind) {
    case 'map':
      return walkMap(w, node, path, stack);
    case 'seq': {
      const s = [...stack, []];
      const out: TreeNode[] = [];
      for (const it of node.items) {
        if (it.kind === 'comment') {
          s[s.length - 1] = [...s[s.length - 1]!, it.text];
          out.push(commentOut(w, it, path, s));
          continue;
        }
        const v = walkValue(w, it, path, s);
        if (v) out.push(v);
        s[s.length - 1] = [];
      }
      return { kind: 'seq', items: out };
    }
    case 'leaf':
      return leafOut(w, node, path, stack);
    case 'null':
      return node;
    case 'comment':
      return commentOut(w, node, path, stack);
  }
}

function walkMap(w: Walk, node: MapNode, path: string[], stack: string[][]): MapNode {
  const s = [...stack, []];
  const out: (MapItem | CommentNode)[] = [];
  for (const it of node.items) {
    if (it.kind === 'comment') {
      s[s.length - 1] = [...s[s.length - 1]!, it.text];
      out.push(commentOut(w, it, path, s));
      continue;
    }
    const v = walkValue(w, it.value, [...path, it.key], s);
    if (v) out.push({ kind: 'item', key: it.key, value: v });
    s[s.length - 1] = [];
  }
  return { kind: 'map', items: out };
}

/** What decryptTree returns: the cleartext branches and every decrypted string (for the redactor). */
export interface DecryptedTree {
  branches: MapNode[];
  plaintexts: string[];
}

/**
 * Decrypts every branch in document order with the data key and verifies the MAC, which is
 * mandatory: a missing or wrong MAC refuses the file (sops.go Tree.Decrypt + decrypt.go).
 */
export function decryptTree(branches: readonly MapNode[], meta: SopsMetadata, key: Buffer): DecryptedTree {
  const w: Walk = { key, meta, hash: createHash('sha512'), plaintexts: [] };
  if (meta.macOnlyEncrypted) w.hash.update(MAC_ONLY_INIT);
  const out = branches.map((b) => walkMap(w, b, [], []));
  const computed = Buffer.from(w.hash.digest('hex').toUpperCase(), 'utf8');
  if (meta.mac === '') throw new TreeError('mac-missing', 'the file has no MAC');
  let stored: Buffer;
  try {
    const p = decryptValue(meta.mac, key, macAad(meta.lastModified));
    if (p.comment || p.value.t !== 'str') throw new CipherError('bad-type', 'mac is not a string');
    stored = Buffer.from(p.value.s, 'utf8');
  } catch (e) {
    if (e instanceof CipherError && e.reason === 'not-encrypted') throw new TreeError('mac-missing', 'the MAC is not encrypted');
    throw new TreeError('mac-mismatch', 'the MAC does not verify (lastmodified or the MAC was changed)');
  }
  if (stored.length !== computed.length || !timingSafeEqual(stored, computed)) {
    throw new TreeError('mac-mismatch', 'MAC mismatch: values were changed, reordered, added or removed');
  }
  return { branches: out, plaintexts: w.plaintexts };
}
