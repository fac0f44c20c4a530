import { describe, expect, it } from "vitest";
import { Simulator } from "../../sim/engine/simulator.ts";
import { PlayerState, Probe } from "../../sim/metrics/probe.ts";
import { QosCollector } from "../../sim/metrics/qos.ts";
import { type PlayerOptions, Players, Receive } from "../../sim/player/player.ts";

const SECOND = 1_000_000;

/** A tiny harness: one peer (node 1), chunks delivered at chosen times. */
function harness(options: Partial<PlayerOptions> = {}, windowChunks = 64) {
  const sim = new Simulator();
  const probe = new Probe();
  const qos = new QosCollector(2);
  probe.add(qos);
  const states: [number, number][] = [];
  probe.add({ onPlayerState: (_p, t, s) => states.push([t, s]) });
  const players = new Players(
    sim,
    probe,
    {
      startupBufferSeconds: 2,
      rebufferSeconds: 1,
      onMissing: "stall",
      skipMissingAfterSeconds: 5,
      ...options,
    },
    SECOND,
    2,
    windowChunks,
  );
  const deliver = sim.register("test/deliver", ["chunk"], (chunk) => players.receive(1, chunk));
  const join = sim.register("test/join", [], () => {
    qos.onJoin(1, sim.nowMicros);
    players.join(1);
  });
  return {
    sim,
    qos,
    players,
    states,
    join: (t: number) => sim.at(t, join),
    at: (t: number, chunk: number) => sim.at(t, deliver, chunk),
    run: (until: number) => {
      sim.run({ untilMicros: until });
      players.finish();
      qos.finish(until);
    },
  };
}

describe("Players", () => {
  it("starts once the startup buffer holds contiguous chunks, and plays one chunk per second", () => {
    const h = harness();
    h.join(0);
    for (let c = 0; c < 10; c++) h.at((c + 1) * SECOND + 100_000, c);
    h.run(12 * SECOND);
    // Chunks 0 and 1 are held at 2.1 s: playback starts then, chunk c due at 2.1 + c.
    expect(h.qos.startupMicros[1]).toBe(2_100_000);
    // Deadlines 2.1 .. 11.1 passed (10 chunks), chunk 9 arrived at 10.1 before its 11.1 deadline.
    expect(h.qos.onTime[1]).toBe(10);
    expect(h.qos.stalls[1]).toBe(0);
    expect(h.qos.playingMicros[1]).toBe(12 * SECOND - 2_100_000);
  });

  it("stalls at a missing chunk and resumes after the rebuffer threshold, counting it late", () => {
    const h = harness({ rebufferSeconds: 2 });
    h.join(0);
    // Chunks 0..4 arrive on time; chunk 5 is 3 s late; 6 arrives with it.
    for (let c = 0; c < 5; c++) h.at((c + 1) * SECOND, c);
    h.at(9 * SECOND, 5);
    h.at(9.5 * SECOND, 6);
    h.run(10 * SECOND);
    // Start at 2 s (chunks 0,1); chunk 5 due at 7 s: stall from 7 s until 5 and 6 are held (9.5 s).
    expect(h.qos.stalls[1]).toBe(1);
    expect(h.qos.stalledMicros[1]).toBe(2.5 * SECOND);
    expect(h.qos.late[1]).toBe(1);
    // Chunks 0..4 played on time; chunk 5 played late at 9.5 s; chunk 6 is due at 10.5 s, after
    // the end of the run.
    expect(h.qos.onTime[1]).toBe(5);
  });

  it("skip mode drops the missing chunk and keeps the clock", () => {
    const h = harness({ onMissing: "skip" });
    h.join(0);
    for (const c of [0, 1, 2, 4, 5, 6]) h.at((c + 1) * SECOND, c);
    h.run(8.5 * SECOND);
    // Start at 2 s; chunk c due at 2 + c; chunk 3 missing at 5 s is skipped; 4, 5, 6 on time.
    expect(h.qos.stalls[1]).toBe(0);
    expect(h.qos.missed[1]).toBe(1);
    expect(h.qos.onTime[1]).toBe(6);
  });

  it("skipTo makes a stalled player jump over chunks that will never come", () => {
    const h = harness();
    h.join(0);
    h.at(1 * SECOND, 0);
    h.at(2 * SECOND, 1);
    // Nothing more until chunk 6 arrives at 7 s, announced as the new start at 6.5 s.
    h.sim.at(
      6.5 * SECOND,
      h.sim.register("test/skip", [], () => h.players.skipTo(1, 6)),
    );
    h.at(7 * SECOND, 6);
    h.run(7.5 * SECOND);
    // Stalled at 4 s (chunk 2 due); at 6.5 s it jumps to 6 (2..5 missed) and resumes at 7 s.
    expect(h.qos.missed[1]).toBe(4);
    expect(h.qos.stalls[1]).toBe(1);
    expect(h.qos.stalledMicros[1]).toBe(3 * SECOND);
    expect(h.qos.late[1]).toBe(1);
  });

  it("counts exactly the chunks held at their deadlines as on time (skip mode)", () => {
    const h = harness({ onMissing: "skip" });
    const arrival = new Map<number, number>();
    h.join(0);
    for (let c = 0; c < 30; c++) {
      // Irregular arrivals: some early, some late, some never.
      if (c % 7 === 3) continue;
      const t = (c + 1) * SECOND + ((c * 377_000) % 1_900_000) + 1;
      arrival.set(c, t);
      h.at(t, c);
    }
    const end = 40 * SECOND;
    h.run(end);
    // Independent expectation: playback starts when chunks 0 and 1 are held; in skip mode the
    // clock never stops, so chunk c is due at start + c seconds.
    const start = Math.max(arrival.get(0)!, arrival.get(1)!);
    let onTime = 0;
    let missed = 0;
    for (let c = 0; start + c * SECOND <= end; c++) {
      const t = arrival.get(c);
      if (t !== undefined && t <= start + c * SECOND) onTime++;
      else missed++;
    }
    expect(h.qos.startupMicros[1]).toBe(start);
    expect(h.qos.onTime[1]).toBe(onTime);
    expect(h.qos.missed[1]).toBe(missed);
    expect(missed).toBeGreaterThan(3);
  });

  it("remembers a window of chunks and forgets older ones", () => {
    const h = harness({}, 64);
    h.join(0);
    for (let c = 0; c < 3; c++) h.at((c + 1) * SECOND, c);
    h.run(4 * SECOND);
    expect(h.players.windowChunks).toBe(64);
    expect(h.players.has(1, 0)).toBe(true);
    expect(h.players.receive(1, 0)).toBe(Receive.Duplicate);
    expect(h.players.has(1, 5)).toBe(false);
  });

  it("falls forward when a chunk arrives a whole window ahead of the playout point", () => {
    const h = harness({}, 64);
    h.join(0);
    h.at(1 * SECOND, 0);
    h.at(2 * SECOND, 1);
    h.at(10 * SECOND, 100);
    h.run(10.5 * SECOND);
    // Stalled at chunk 2 since 4 s; chunk 100 is beyond the 64-chunk window, so the player moves
    // to 100 - 32 = 68, counting 2..67 as missed.
    expect(h.qos.missed[1]).toBe(66);
    expect(h.players.position(1)).toBe(68);
    expect(h.states.at(-1)?.[1]).toBe(PlayerState.Stalled);
  });
});

describe("Players at a deadline tie", () => {
  it("plays a chunk that arrives at exactly its deadline on time, whatever the event order", () => {
    const h = harness({ rebufferSeconds: 1 });
    h.join(0);
    h.at(1 * SECOND, 0);
    h.at(2 * SECOND, 1);
    // Playback starts at 2 s, so chunk 2 is due at 4 s. Its delivery is scheduled at 4 s only
    // once the deadline check is already queued, so it runs after the check at that instant.
    const late = h.sim.register("test/late-schedule", [], () => h.at(4 * SECOND, 2));
    h.sim.at(3 * SECOND, late);
    h.run(4.5 * SECOND);
    expect(h.qos.stalls[1]).toBe(0);
    expect(h.qos.onTime[1]).toBe(3);
  });
});

describe("Players giving up on a missing chunk", () => {
  it("a stalled player skips a hole after skipMissingAfter when it holds later chunks", () => {
    const h = harness({ skipMissingAfterSeconds: 5 });
    h.join(0);
    // Chunk 3 never comes; the others arrive on time.
    for (let c = 0; c < 20; c++) if (c !== 3) h.at((c + 1) * SECOND, c);
    h.run(15 * SECOND);
    // Start at 2 s; chunk 3 due at 5 s: stall; at 10 s the player gives up on it, skips to 4
    // (held) and resumes at once, chunk 4 playing late.
    expect(h.qos.stalls[1]).toBe(1);
    expect(h.qos.stalledMicros[1]).toBe(5 * SECOND);
    expect(h.qos.missed[1]).toBe(1);
    expect(h.qos.late[1]).toBe(1);
    // Chunk 5 + j is due at 11 + j: 5 deadlines by 15 s, plus chunks 0..2 before the stall.
    expect(h.qos.onTime[1]).toBe(3 + 5);
  });

  it("keeps waiting while it holds nothing later, and never gives up when set to 0", () => {
    const waiting = harness({ skipMissingAfterSeconds: 5 });
    waiting.join(0);
    for (const c of [0, 1, 2]) waiting.at((c + 1) * SECOND, c);
    waiting.run(20 * SECOND);
    expect(waiting.qos.missed[1]).toBe(0);
    expect(waiting.qos.stalledMicros[1]).toBe(15 * SECOND);

    const never = harness({ skipMissingAfterSeconds: 0 });
    never.join(0);
    for (let c = 0; c < 20; c++) if (c !== 3) never.at((c + 1) * SECOND, c);
    never.run(15 * SECOND);
    expect(never.qos.missed[1]).toBe(0);
    expect(never.qos.stalledMicros[1]).toBe(10 * SECOND);
  });

  it("a starting player held up by a hole starts after it", () => {
    const h = harness({ skipMissingAfterSeconds: 5, startupBufferSeconds: 3 });
    h.join(0);
    for (let c = 0; c < 20; c++) if (c !== 1) h.at((c + 1) * SECOND, c);
    h.run(12 * SECOND);
    // Chunks 0, 2, 3, ... held; the 3-chunk startup buffer from 0 never fills. At 5 s the
    // player moves to chunk 2 and starts at once (2, 3, 4 are held by then).
    expect(h.qos.startupMicros[1]).toBe(5 * SECOND);
    expect(h.qos.missed[1]).toBe(0);
  });
});

describe("Players on demand", () => {
  it("playoutChunk follows the playout clock between deadline checks", () => {
    const h = harness();
    h.join(0);
    // Chunks 0..9 all held at 0.5 s: playback starts then; chunk c plays from 0.5 + c s.
    for (let c = 0; c < 10; c++) h.at(SECOND / 2, c);
    const seen: number[] = [];
    const probe = h.sim.register("test/probe", [], () => {
      seen.push(h.players.playoutChunk(1));
    });
    for (const t of [0.4, 0.6, 1.4, 1.6, 4.7]) h.sim.at(t * SECOND, probe);
    h.run(5 * SECOND);
    // Before any chunk the player has no position (-1).
    expect(seen).toEqual([-1, 0, 0, 1, 4]);
  });

  it("a seek counts what was played, empties the buffer and starts over at the new position", () => {
    const h = harness();
    h.join(0);
    for (let c = 0; c < 10; c++) h.at(SECOND / 2, c);
    const seek = h.sim.register("test/seek", [], () => h.players.seek(1, 100));
    h.sim.at(3.5 * SECOND, seek);
    // Chunks 100 and 101 arrive at 4 s and 4.2 s: playback resumes at 4.2 s.
    h.at(4 * SECOND, 100);
    h.at(4.2 * SECOND, 101);
    h.run(4.5 * SECOND);
    // Before the seek, chunks 0, 1, 2 reached their deadlines (0.5, 1.5, 2.5 s); chunk 3 (due
    // at 3.5 s, the seek's instant) too: the seek settles it first.
    expect(h.qos.onTime[1]).toBe(5);
    expect(h.states.map(([t, s]) => [t / SECOND, s])).toEqual([
      [0, PlayerState.Starting],
      [0.5, PlayerState.Playing],
      [3.5, PlayerState.Starting],
      [4.2, PlayerState.Playing],
    ]);
    expect(h.players.has(1, 5)).toBe(false);
    expect(h.players.playoutChunk(1)).toBe(100);
  });
});
