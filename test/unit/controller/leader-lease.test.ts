import { describe, expect, it } from "vitest";
import {
  decide,
  nextRecord,
  recordKey,
  releasedRecord,
  timingProblems,
  type LeaseRecord,
} from "../../../src/controller/leader-lease.js";

const me = "pod-a";
const held = (holder: string, seconds?: number): LeaseRecord => ({
  holderIdentity: holder,
  ...(seconds === undefined ? {} : { leaseDurationSeconds: seconds }),
  renewTime: "2026-01-01T00:00:00.000000Z",
});

describe("decide", () => {
  // observedAt 1000 ms, default duration 15 s; `now` moves.
  it.each<[string, LeaseRecord | undefined, number, ReturnType<typeof decide>]>([
    ["no Lease: create it", undefined, 1_000, { act: "create" }],
    ["ours: renew", held(me, 15), 1_000, { act: "renew" }],
    ["ours even when long expired: renew", held(me, 15), 100_000, { act: "renew" }],
    ["released (empty holder): take", held("", 15), 1_000, { act: "take", why: "released" }],
    ["no holder field: take", {}, 1_000, { act: "take", why: "released" }],
    [
      "another holder, just seen: wait",
      held("pod-b", 15),
      1_000,
      { act: "wait", holder: "pod-b", expiresInMs: 15_000 },
    ],
    [
      "another holder, 10 s after we saw it: wait",
      held("pod-b", 15),
      11_000,
      { act: "wait", holder: "pod-b", expiresInMs: 5_000 },
    ],
    [
      "another holder, lease duration passed: take",
      held("pod-b", 15),
      16_000,
      { act: "take", why: "expired", previous: "pod-b" },
    ],
    [
      "its own duration counts, not ours",
      held("pod-b", 2),
      3_000,
      { act: "take", why: "expired", previous: "pod-b" },
    ],
    [
      "no duration in the Lease: ours counts",
      held("pod-b"),
      10_000,
      { act: "wait", holder: "pod-b", expiresInMs: 6_000 },
    ],
  ])("%s", (_, lease, now, expected) => {
    expect(decide(lease, me, 1_000, now, 15_000)).toEqual(expected);
  });

  it("a renewal (new renew time) is a new record: the expiry clock restarts", () => {
    const a = held("pod-b", 15);
    expect(recordKey({ ...a, renewTime: "2026-01-01T00:00:02.000000Z" })).not.toBe(recordKey(a));
    expect(recordKey({ ...a })).toBe(recordKey(a));
  });
});

describe("nextRecord", () => {
  const t0 = "2026-01-01T00:00:00.000000Z";
  const t1 = "2026-01-01T00:00:05.000000Z";
  it("creating: we hold it, no transition", () => {
    expect(nextRecord(undefined, me, 15_000, t0)).toEqual({
      holderIdentity: me,
      leaseDurationSeconds: 15,
      acquireTime: t0,
      renewTime: t0,
      leaseTransitions: 0,
    });
  });
  it("renewing: acquire time and transitions kept, renew time moves", () => {
    const ours = nextRecord(undefined, me, 15_000, t0);
    expect(nextRecord(ours, me, 15_000, t1)).toEqual({ ...ours, renewTime: t1 });
  });
  it("taking over from another holder: a transition, a new acquire time", () => {
    const theirs = { ...nextRecord(undefined, "pod-b", 15_000, t0), leaseTransitions: 4 };
    expect(nextRecord(theirs, me, 15_000, t1)).toMatchObject({
      holderIdentity: me,
      acquireTime: t1,
      leaseTransitions: 5,
    });
  });
  it("a duration below a second is written as one second", () => {
    expect(nextRecord(undefined, me, 300, t0).leaseDurationSeconds).toBe(1);
  });
  it("releasing: no holder, the rest kept", () => {
    const ours = nextRecord(undefined, me, 15_000, t0);
    expect(releasedRecord(ours, t1)).toEqual({
      ...ours,
      holderIdentity: "",
      leaseDurationSeconds: 1,
      renewTime: t1,
    });
  });
});

describe("timingProblems", () => {
  it.each<[string, [number, number, number], RegExp[]]>([
    ["the defaults are fine", [15_000, 10_000, 2_000], []],
    [
      "renew deadline not below the lease duration",
      [10_000, 10_000, 2_000],
      [/renew deadline \(10s\) must be shorter than the lease duration \(10s\)/],
    ],
    [
      "retry period not below the renew deadline",
      [15_000, 10_000, 10_000],
      [/retry period \(10s\) must be shorter than the renew deadline/],
    ],
    ["both at once", [5_000, 6_000, 7_000], [/renew deadline/, /retry period/]],
  ])("%s", (_, [leaseDurationMs, renewDeadlineMs, retryPeriodMs], expected) => {
    const p = timingProblems({ leaseDurationMs, renewDeadlineMs, retryPeriodMs });
    expect(p).toHaveLength(expected.length);
    expected.forEach((re, i) => expect(p[i]).toMatch(re));
  });
});
