export { ChatClient } from './client.js';
export type { SendPromise } from './client.js';
export { ChatError } from './errors.js';
export { Backoff, backoffDelay } from './backoff.js';
export { tokenExpiry } from './token.js';
export type * from './types.js';
