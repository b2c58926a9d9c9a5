// A comment body GitHub will take: at most 65,536 characters (its 422 "Body is too long (maximum
// is 65536 characters)"), cut at a line with a note saying so, and always holding the marker so
// the next run finds the comment again.
export const MAX_COMMENT_CHARACTERS = 65_536;

/**
 * GitHub counts characters, not UTF-16 code units nor bytes (shared/reference/quality-gates.md
 * notes the unit is disputed): counting code points is what its Ruby side does; a cut never
 * splits a surrogate pair.
 */
export function fitCommentBody(
  body: string,
  marker: string,
  limit = MAX_COMMENT_CHARACTERS,
): string {
  const withMarker = body.includes(marker) ? body : `${marker}\n${body}`;
  const characters = [...withMarker];
  if (characters.length <= limit) return withMarker;
  const note = `\n\n_This comment was cut to GitHub's limit of ${limit.toLocaleString('en-US')} characters (it had ${characters.length.toLocaleString('en-US')}); the job summary has the rest._`;
  const keepMarker = withMarker.startsWith(marker) ? '' : `${marker}\n`;
  const room = limit - [...note].length - [...keepMarker].length;
  let head = characters.slice(0, room).join('');
  const lineEnd = head.lastIndexOf('\n');
  if (lineEnd > head.length / 2) head = head.slice(0, lineEnd);
  const fitted = `${head}${note}`;
  return fitted.includes(marker) ? fitted : `${marker}\n${fitted}`;
}
