/** Where the progress line goes: stderr, or a test's stand-in. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * A one-line progress indicator for long runs (`syncgate scan` of a big tree): shown only when
 * the stream is a terminal and the run takes longer than `delayMs`, redrawn in place, and erased
 * before the result is printed, so pipes and CI logs never see it.
 */
export class Progress {
  private text = '';
  private shown = false;
  private readonly started = Date.now();
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: ProgressStream,
    opts: { delayMs?: number; intervalMs?: number } = {},
  ) {
    if (stream.isTTY !== true) return;
    const delay = opts.delayMs ?? 1000;
    this.timer = setInterval(() => {
      if (Date.now() - this.started >= delay) this.draw();
    }, opts.intervalMs ?? 250);
    this.timer.unref();
  }

  /** Sets what the line says (`reading manifests`, `scanning 5,000 objects`). */
  update(text: string): void {
    this.text = text;
  }

  private draw(): void {
    const secs = Math.round((Date.now() - this.started) / 1000);
    // \r + erase line: redraw in place
    this.stream.write(`\r\x1b[2K${this.text} (${String(secs)}s)`);
    this.shown = true;
  }

  /** Stops and erases the line. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}
