/**
 * A per-request mask of secret values (Flux `masktoken`): every plaintext the pipeline learns
 * (decrypted values, substituted secret values) is added, and any text that may echo input
 * (tool stderr, error messages, reports) is passed through `mask` before it leaves the process.
 */
export class Redactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | undefined;

  /** Minimum length of a value worth masking; shorter values (`1`, `ab`) would mangle text. */
  static readonly MIN_LENGTH = 4;

  /** Registers a secret value (and its trimmed lines, so multi-line values mask line by line). */
  add(value: string): void {
    const candidates = [value, ...value.split(/\r?\n/)];
    for (const c of candidates) {
      const v = c.trim();
      if (v.length >= Redactor.MIN_LENGTH && !this.secrets.has(v)) {
        this.secrets.add(v);
        this.pattern = undefined;
      }
    }
  }

  /** Number of registered values. */
  get size(): number {
    return this.secrets.size;
  }

  /** Replaces every registered value in `text` with `*****`. */
  mask(text: string): string {
    if (this.secrets.size === 0 || text.length === 0) return text;
    if (this.pattern === undefined) {
      // Longest first, so a value that contains another is masked whole.
      const alts = [...this.secrets]
        .sort((a, b) => b.length - a.length)
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      this.pattern = new RegExp(alts.join('|'), 'g');
    }
    return text.replace(this.pattern, '*****');
  }

  /**
   * `mask` applied to every string inside plain data (error details, log fields), keys included.
   * Masking a JSON serialisation instead misses a secret holding a quote or a backslash (escaped
   * there) and breaks the JSON where a secret happens to match its punctuation.
   */
  maskValue(value: unknown): unknown {
    if (this.secrets.size === 0) return value;
    if (typeof value === 'string') return this.mask(value);
    if (Array.isArray(value)) return value.map((v) => this.maskValue(v));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.mask(k), this.maskValue(v)]));
    }
    return value;
  }
}
