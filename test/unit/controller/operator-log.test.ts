import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { defaultLogFormat, operatorLogger, textLine } from "../../../src/controller/operator-log.js";

function sink(): { out: Writable; lines: () => string[] } {
  let text = "";
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { out, lines: () => text.split("\n").filter((l) => l !== "") };
}

describe("operatorLogger", () => {
  it("json: one record per line with time, level word and fields", () => {
    const s = sink();
    const log = operatorLogger(s.out, "json");
    log.info({ component: "etcd", state: "ready" }, "etcd: ready");
    log.warn("leadership lost");
    const [a, b] = s.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(a).toMatchObject({ level: "info", msg: "etcd: ready", component: "etcd", state: "ready" });
    expect(String(a?.time)).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(b).toMatchObject({ level: "warn", msg: "leadership lost" });
  });

  it("text: time, the level when not info, message, fields", () => {
    const s = sink();
    const log = operatorLogger(s.out, "text");
    log.info({ seconds: 1.5 }, "pass ok in 1.5s");
    log.warn({ why: "held by b" }, "leadership lost");
    const [a, b] = s.lines();
    expect(a).toMatch(/^\d{4}-\d\d-\d\dT\S+ pass ok in 1\.5s seconds=1\.5$/);
    expect(b).toMatch(/^\S+ WARN leadership lost why="held by b"$/);
  });

  it("never writes secrets: credential fields, URL user information, known secret values", () => {
    const s = sink();
    const known = "webhook-secret-value-1234567890";
    const log = operatorLogger(s.out, "json", () => [known]);
    log.info({ token: "t0ken-value", headers: { authorization: "Bearer abc" }, secret: "s3cret" }, "fields");
    log.info(`fetching https://user:p4ssw0rd@git.example/landscape.git`);
    log.warn(`a message that quotes ${known} by mistake`);
    const text = s.lines().join("\n");
    for (const leaked of ["t0ken-value", "Bearer abc", "s3cret", "p4ssw0rd", known])
      expect(text).not.toContain(leaked);
    expect(text).toContain("***");
  });

  it("defaults to text on a terminal, json otherwise", () => {
    expect(defaultLogFormat(true)).toBe("text");
    expect(defaultLogFormat(false)).toBe("json");
  });

  it("textLine quotes values with spaces", () => {
    expect(textLine({ time: "T", level: "error", msg: "m", a: "x y", b: 2 })).toBe('T ERROR m a="x y" b=2\n');
  });
});
