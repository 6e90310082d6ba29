/**
 * Full-jitter exponential backoff: the delay before attempt n (0-based) is uniformly random in
 * [0, min(max, base·2^n)].
 */
export function backoffDelay(attempt: number, random: () => number, base = 500, max = 20000): number {
  const ceiling = Math.min(max, base * Math.pow(2, Math.min(attempt, 30)));
  return Math.floor(random() * ceiling);
}

/** Counts failed attempts; reset after a successful connect. */
export class Backoff {
  attempt = 0;

  constructor(
    private readonly random: () => number = Math.random,
    private readonly base = 500,
    private readonly max = 20000,
  ) {}

  /** The delay before the next attempt; each call counts one more. */
  next(): number {
    return backoffDelay(this.attempt++, this.random, this.base, this.max);
  }

  reset(): void {
    this.attempt = 0;
  }
}
