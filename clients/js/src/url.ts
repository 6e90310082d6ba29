/** The WebSocket URL for one connection attempt: path by nickname or token, `v=3`, token, resume point. */
export function connectionUrl(
  base: string,
  nickname: string | undefined,
  token: string | undefined,
  resume: { since: number; epoch: string } | undefined,
): string {
  let url = base.replace(/\/+$/, '');
  if (!/\/websocket$/.test(url)) url += '/websocket';
  if (nickname !== undefined) url += '/' + encodeURIComponent(nickname);
  const query = ['v=3'];
  if (token !== undefined) query.push('access_token=' + encodeURIComponent(token));
  if (resume) query.push('since=' + resume.since, 'epoch=' + encodeURIComponent(resume.epoch));
  return url + '?' + query.join('&');
}

const ROOM = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** A room name as the server keeps it (ASCII letters lower-cased), or undefined when the server would refuse it. */
export function normalizeRoom(room: string): string | undefined {
  const r = room.replace(/[A-Z]/g, (c) => c.toLowerCase());
  return ROOM.test(r) ? r : undefined;
}
