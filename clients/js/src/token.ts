/** The `exp` claim (unix seconds) of a JWT, read without verifying it; undefined when absent or unreadable. */
export function tokenExpiry(token: string): number | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    let b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    b64 += '='.repeat((4 - (b64.length % 4)) % 4);
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const exp = JSON.parse(new TextDecoder().decode(bytes)).exp;
    return typeof exp === 'number' ? exp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How long (ms) from `now` until a token expiring at `exp` (unix seconds) should be replaced: half
 * its remaining life, but at most a minute before it expires.
 */
export function refreshDelay(exp: number, now: number): number {
  const left = exp * 1000 - now;
  return Math.max(0, left - Math.min(60000, left / 2));
}

/** Whether a token is worth connecting with: it has no `exp`, or more than 5 s left. */
export function tokenUsable(token: string, now: number): boolean {
  const exp = tokenExpiry(token);
  return exp === undefined || exp * 1000 - now > 5000;
}
