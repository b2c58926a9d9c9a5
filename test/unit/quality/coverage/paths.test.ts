import { describe, expect, it } from '@jest/globals';
import { normalisePath } from '../../../../src/quality/coverage/paths.ts';

const workspace = '/home/runner/work/shop/shop';
const nothingExists = () => false;

describe('normalisePath', () => {
  it.each([
    ['src/a.ts', 'src/a.ts'],
    ['./src/a.ts', 'src/a.ts'],
    ['././src/./a.ts', 'src/a.ts'],
    ['src\\lib\\a.ts', 'src/lib/a.ts'],
    [' src/a.ts ', 'src/a.ts'],
    ['/home/runner/work/shop/shop/src/a.ts', 'src/a.ts'],
    // another job's runner, a container job, a Windows runner, a self-hosted runner
    ['/home/runner/work/other/other/src/a.ts', 'src/a.ts'],
    ['/__w/shop/shop/src/a.ts', 'src/a.ts'],
    ['D:\\a\\shop\\shop\\src\\a.ts', 'src/a.ts'],
    ['/opt/actions-runner/_work/shop/shop/src/a.ts', 'src/a.ts'],
  ])('%s → %s', (raw, path) => {
    expect(normalisePath(raw, { workspace, exists: nothingExists })).toEqual({
      path,
      outsideWorkspace: false,
    });
  });

  it.each([
    ['/usr/lib/node_modules/x/index.js', '/usr/lib/node_modules/x/index.js'],
    ['../elsewhere/a.ts', '../elsewhere/a.ts'],
    ['C:\\Users\\me\\a.ts', 'C:/Users/me/a.ts'],
  ])('%s is outside the workspace: kept as given, flagged', (raw, path) => {
    expect(normalisePath(raw, { workspace, exists: nothingExists })).toEqual({
      path,
      outsideWorkspace: true,
    });
  });

  it('works with a Windows workspace, whatever the drive letter case', () => {
    expect(
      normalisePath('d:\\a\\shop\\shop\\src\\a.ts', { workspace: 'D:\\a\\shop\\shop' }),
    ).toEqual({ path: 'src/a.ts', outsideWorkspace: false });
  });

  it('tries each Cobertura source and takes the one whose file exists', () => {
    const exists = (path: string) => path === 'lib/a.py';
    expect(
      normalisePath('a.py', { workspace, sources: ['/tmp/build', 'src', 'lib'], exists }),
    ).toEqual({ path: 'lib/a.py', outsideWorkspace: false });
  });

  it('takes the first source inside the workspace when no candidate exists on disk', () => {
    expect(
      normalisePath('a.py', {
        workspace,
        sources: ['/tmp/pytest-of-runner/build0', `${workspace}/src`, 'lib'],
        exists: nothingExists,
      }),
    ).toEqual({ path: 'src/a.py', outsideWorkspace: false });
  });

  it('strips the Go module path', () => {
    expect(
      normalisePath('example.com/shop/cart/cart.go', { workspace, goModule: 'example.com/shop' }),
    ).toEqual({ path: 'cart/cart.go', outsideWorkspace: false });
  });
});
