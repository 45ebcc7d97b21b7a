/**
 * Showing an apply as it happens. On a terminal: a live table, one row per component, redrawn in
 * place (state, duration, what it waits for). Otherwise: one line per state change, for logs and
 * CI. Messages come from the engine, which never puts secret values in them.
 */
export interface ProgressLine {
  component: string;
  state: string;
  message: string;
  durationMs?: number;
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? "" : `${(ms / 1000).toFixed(1)}s`;
}

export class LineProgress {
  private readonly last = new Map<string, string>();
  constructor(
    private readonly write: (s: string) => void,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  update(e: ProgressLine): void {
    const key = `${e.state}|${e.message}`;
    if (this.last.get(e.component) === key) return;
    this.last.set(e.component, key);
    const t = this.clock().toISOString().slice(11, 19);
    const d = e.durationMs === undefined ? "" : ` (${seconds(e.durationMs)})`;
    this.write(`${t} ${e.component.padEnd(38)} ${e.state.padEnd(15)} ${e.message}${d}\n`);
  }

  finish(): void {
    // lines are complete as written
  }
}

export class LiveProgress {
  private readonly rows = new Map<
    string,
    { state: string; message: string; started: number; durationMs?: number }
  >();
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (s: string) => void,
    private readonly columns: number,
  ) {
    this.timer = setInterval(() => this.draw(), 500);
    this.timer.unref();
  }

  update(e: ProgressLine): void {
    const row = this.rows.get(e.component);
    this.rows.set(e.component, {
      state: e.state,
      message: e.message,
      started: row?.started ?? Date.now(),
      ...(e.durationMs === undefined ? {} : { durationMs: e.durationMs }),
    });
    this.draw();
  }

  private draw(): void {
    const lines: string[] = [];
    for (const [name, r] of this.rows) {
      const done = ["ready", "unchanged", "failed", "blocked", "skipped", "uninstalled"].includes(r.state);
      const d = done ? seconds(r.durationMs) : seconds(Date.now() - r.started);
      const mark =
        r.state === "ready" || r.state === "unchanged"
          ? "✓"
          : r.state === "failed"
            ? "✗"
            : r.state === "blocked"
              ? "·"
              : "…";
      const line = `${mark} ${name.padEnd(38)} ${r.state.padEnd(15)} ${d.padStart(7)}  ${r.message}`;
      lines.push(line.length > this.columns - 1 ? `${line.slice(0, this.columns - 2)}…` : line);
    }
    let out = this.drawn > 0 ? `\x1b[${this.drawn}A` : "";
    for (const l of lines) out += `\x1b[2K${l}\n`;
    this.drawn = lines.length;
    this.write(out);
  }

  finish(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.draw();
  }
}
