import { ChatError } from './errors.js';
import type { Ack } from './types.js';

export interface PendingSend {
  id: string;
  frame: Record<string, unknown>;
  /** The room it goes to: held until that room is joined on the current connection. */
  room?: string;
  /** The connection it was last written on (0: never). */
  sentOn: number;
  resolve(ack: Ack): void;
  reject(err: ChatError): void;
  timer: unknown;
}

/**
 * Sends waiting for their ack, in the order they were made. A send written on a connection that
 * dropped is written again, with the same id, on the next one; the server's dedup makes that safe.
 */
export class PendingSends {
  private readonly items = new Map<string, PendingSend>();

  add(send: PendingSend): void {
    this.items.set(send.id, send);
  }

  has(id: string): boolean {
    return this.items.has(id);
  }

  /** Those not yet written on connection `serial`, oldest first. */
  unsent(serial: number): PendingSend[] {
    return [...this.items.values()].filter((s) => s.sentOn !== serial);
  }

  /** Removes and returns the send `id`, if it is still pending. */
  take(id: string): PendingSend | undefined {
    const s = this.items.get(id);
    if (s) this.items.delete(id);
    return s;
  }

  /** Rejects every pending send (a final close). */
  rejectAll(err: () => ChatError): PendingSend[] {
    const all = [...this.items.values()];
    this.items.clear();
    for (const s of all) s.reject(err());
    return all;
  }

  get size(): number {
    return this.items.size;
  }
}
