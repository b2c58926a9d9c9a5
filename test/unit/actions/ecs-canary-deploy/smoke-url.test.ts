import { describe, expect, it } from '@jest/globals';
import { parseSmokeUrl } from '../../../../src/actions/ecs-canary-deploy/smoke-url.ts';

describe('parseSmokeUrl', () => {
  it.each([
    [
      'http://my-alb-123.eu-west-1.elb.amazonaws.com:8080/health',
      'my-alb-123.eu-west-1.elb.amazonaws.com:8080',
    ],
    ['https://shop.example.com/health?deep=1', 'shop.example.com'],
    ['HTTP://Shop.Example.com:80/', 'shop.example.com'],
    ['http://10.0.0.1:8080/', '10.0.0.1:8080'],
    ['http://[::1]:8080/health', '[::1]:8080'],
    ['http://localhost', 'localhost'],
    [`http://h/${'p'.repeat(2000)}`, 'h'],
  ])('accepts %s', (text, host) => {
    expect(parseSmokeUrl(text).host).toBe(host);
  });

  it.each([
    [
      'white space',
      'not a url',
      /^Input 'smoke-url' is 'not a url', which has white space or a control character/,
    ],
    ['a leading space', ' http://h/', /which has white space/],
    [
      'a newline',
      'http://h/\n::error::x',
      /^Input 'smoke-url' is 'http:\/\/h\/\\u000a::error::x', which has white space/,
    ],
    ['a tab in the host', 'http://h\tost/', /which has white space/],
    [
      'another scheme',
      'ftp://h/',
      /^Input 'smoke-url' is 'ftp:\/\/h\/': use an http:\/\/ or https:\/\/ URL/,
    ],
    ['no slashes', 'http:h', /use an http:\/\/ or https:\/\/ URL/],
    ['one slash', 'http:/h', /use an http:\/\/ or https:\/\/ URL/],
    ['a backslash', 'http:\\\\h/', /use an http:\/\/ or https:\/\/ URL/],
    ['a backslash later', 'http://h\\x', /use '\/' in a URL, not '\\'/],
    ['no host', 'http://', /which is not a URL/],
    [
      'a host in hex',
      'http://0x7f.1/',
      /its host '0x7f\.1' is not written plainly \(it reads as '127\.0\.0\.1'\)/,
    ],
    ['a percent-encoded host', 'http://%68ost/', /is not written plainly/],
    ['an empty port', 'http://h:/', /is not written plainly/],
    ['credentials', 'https://user:pw@h/', /^Input 'smoke-url' carries a user name or password/],
    ['port 0', 'http://h:0/', /port 0 cannot be connected to/],
    ['a fragment', 'http://h/health#x', /a #fragment is never sent/],
    [
      'a long URL',
      `http://h/${'p'.repeat(2040)}`,
      /: it is 2049 characters, use a URL of at most 2048\.$/,
    ],
  ])('refuses %s', (_, text, message) => {
    expect(() => parseSmokeUrl(text)).toThrow(message);
  });
});
