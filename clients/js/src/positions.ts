import type { Positions } from './types.js';

interface Position {
  epoch: string;
  /** The last offset seen (0: none yet). */
  last: number;
  /** The stream's latest offset when it was joined: where to resume from if nothing was seen since. */
  base: number;
}

/** The stream of a room; `""` is the chat of nick-broadcast or the private inbox. */
export const streamKey = (room?: string): string => (room ? 'room:' + room : '');

/**
 * Where each stream was last seen (offset and epoch), what to resume from, and which offsets were
 * already delivered, so no message is emitted twice.
 */
export class StreamPositions {
  private readonly map = new Map<string, Position>();
  /** Streams whose epoch changed under a resume: a gap was already reported for them. */
  private readonly gapReported = new Set<string>();

  constructor(initial?: Positions) {
    for (const [key, p] of Object.entries(initial ?? {})) this.map.set(key, { epoch: p.epoch, last: p.offset, base: p.offset });
  }

  /** `since` and `epoch` to resume `key` from, when it was seen before. */
  resumePoint(key: string): { since: number; epoch: string } | undefined {
    const p = this.map.get(key);
    return p && { since: p.last || p.base, epoch: p.epoch };
  }

  /**
   * A stream was (re)entered (`users`, `joined`) with its epoch and latest offset. Returns the
   * offset seen before when the epoch changed (something may be lost), else undefined.
   */
  enter(key: string, epoch: string, offset: number): number | undefined {
    const p = this.map.get(key);
    this.gapReported.delete(key);
    if (p && p.epoch === epoch) return undefined;
    this.map.set(key, { epoch, last: 0, base: offset });
    if (!p) return undefined;
    this.gapReported.add(key);
    return p.last || p.base;
  }

  /** After `recovered:false`: whether a gap still has to be reported (not already, for a new epoch). */
  takeGap(key: string): boolean {
    return !this.gapReported.delete(key);
  }

  /**
   * Whether a message at `offset` is new for its stream (and records it). Messages without an offset
   * always are, and so are live ones: the server sends each live offset once, after the history, so
   * one at or below what was seen means the stream started over under us (e.g. Redis restarted empty).
   */
  accept(key: string, offset: unknown, live = false): boolean {
    if (typeof offset !== 'number') return true;
    const p = this.map.get(key);
    if (!p) return true;
    if (offset <= p.last && !live) return false;
    p.last = offset;
    return true;
  }

  epoch(key: string): string | undefined {
    return this.map.get(key)?.epoch;
  }

  last(key: string): number {
    const p = this.map.get(key);
    return p ? p.last || p.base : 0;
  }

  forget(key: string): void {
    this.map.delete(key);
    this.gapReported.delete(key);
  }

  snapshot(): Positions {
    const out: Positions = {};
    for (const [key, p] of this.map) out[key] = { epoch: p.epoch, offset: p.last || p.base };
    return out;
  }
}
