// Where to go after signing in: the `next` query parameter when it is a path of this site, else the chat.
export function nextPath(query: Record<string, string>): string {
  const next = query.next ?? '';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}
