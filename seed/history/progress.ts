/** A one-line progress bar on stderr: done/total, rows per second and time left. */
export class Progress {
  private readonly started = performance.now();
  private lastDraw = 0;
  rows = 0;

  constructor(
    private readonly total: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, rows: number): void {
    this.rows = rows;
    const now = performance.now();
    if (now - this.lastDraw < 250 && done < this.total) return;
    this.lastDraw = now;
    const secs = (now - this.started) / 1000;
    const share = this.total === 0 ? 1 : done / this.total;
    const width = 30;
    const filled = Math.round(share * width);
    const rate = secs > 0 ? Math.round(rows / secs) : 0;
    const eta = share > 0 ? Math.max(0, secs / share - secs) : 0;
    const line = `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${this.total} waybills  ${rate.toLocaleString("en")} rows/s  ETA ${eta.toFixed(0)} s`;
    if (this.out.isTTY) this.out.write(`\r${line}`);
    else if (done === this.total) this.out.write(`${line}\n`);
  }

  finish(): number {
    if (this.out.isTTY) this.out.write("\n");
    return (performance.now() - this.started) / 1000;
  }
}
