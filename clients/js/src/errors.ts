/** A send, join or history request refused by the server (or given up by the client). */
export class ChatError extends Error {
  /** The server's error code (`not_in_room`, `rate_limited`, …) or the client's: `timeout`, `closed`, `invalid_room`, `invalid_request`. */
  readonly code: string;
  /** The send id, for a refused send. */
  readonly id?: string;

  constructor(code: string, message: string, id?: string) {
    super(message);
    this.name = 'ChatError';
    this.code = code;
    if (id !== undefined) this.id = id;
  }
}
