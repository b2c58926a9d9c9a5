// The `smoke-url` input: a plain http(s) URL with a host, written as it will be requested. `new URL`
// accepts much more (white space stripped from anywhere, backslashes read as slashes, `http:host`
// without slashes, hosts in hex or shorthand, user names): each is refused here, before any call.
import { UserError } from '../../lib/errors.ts';
import { shown as quote } from '../../lib/errors.ts';

const MAX_LENGTH = 2048;
const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };
const EXAMPLE = 'http://my-alb-123.eu-west-1.elb.amazonaws.com:8080/health';

export function parseSmokeUrl(text: string): URL {
  const fail = (problem: string) => new UserError(`Input 'smoke-url' is ${quote(text)}${problem}`);
  if (/[\s\p{Cc}]/u.test(text)) {
    throw fail(
      ', which has white space or a control character: write the URL alone, with a space in the path as %20.',
    );
  }
  if (text.length > MAX_LENGTH) {
    throw fail(`: it is ${text.length} characters, use a URL of at most ${MAX_LENGTH}.`);
  }
  const scheme = /^(https?):\/\//i.exec(text);
  if (scheme === null) {
    throw fail(`: use an http:// or https:// URL, e.g. ${EXAMPLE}.`);
  }
  if (text.includes('\\')) throw fail(": use '/' in a URL, not '\\'.");
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw fail(`, which is not a URL: give the test listener's address, e.g. ${EXAMPLE}.`);
  }
  // The authority as written: after the scheme's slashes, up to the path, query or fragment.
  const authority = text.slice(scheme[0].length).split(/[/?#]/, 1)[0] ?? '';
  if (authority.includes('@')) {
    throw new UserError(
      "Input 'smoke-url' carries a user name or password: the smoke check sends no credentials, leave them out.",
    );
  }
  const written = authority.toLowerCase();
  const defaultPort = DEFAULT_PORTS[url.protocol];
  if (url.hostname === '' || (written !== url.host && written !== `${url.host}:${defaultPort}`)) {
    throw fail(
      `: its host ${quote(authority, 60)} is not written plainly (it reads as ${quote(url.host, 60)}): give the host name or IP address as it is, with an optional port.`,
    );
  }
  if (url.port === '0') throw fail(': port 0 cannot be connected to, give the listener port.');
  if (url.hash !== '' || text.includes('#')) {
    throw fail(': a #fragment is never sent to the server, leave it out.');
  }
  return url;
}
