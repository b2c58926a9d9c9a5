// One way to bundle an entry point with ncc, used by the build (dist/) and the bench.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ncc from '@vercel/ncc';
import { minify } from '@swc/core';

export interface Bundle {
  code: string;
  assets: Record<string, { source: string | Buffer }>;
}

export interface BundleOptions {
  /**
   * Leave out the AWS SDK's default credential chain (env, ini files, SSO, process, container and
   * instance metadata): half of the STS client's code and about 6 ms of start-up (bench/README.md). Only for
   * actions that pass credentials explicitly to every signed call (or sign nothing); in the
   * chain's place a stub module throws if anything ever asks it.
   */
  withoutDefaultCredentialChain?: boolean;
  /**
   * Leave out bowser, the browser user-agent parser @aws-sdk/core bundles for browsers only (Node's
   * clients never call it): 33 KB of every bundle's shared SDK chunk (bench/README.md). A stub
   * module that parses nothing stands in.
   */
  withoutBrowserUserAgentParser?: boolean;
  /**
   * Leave out @smithy/core's Smithy RPC v2 CBOR protocol (27 KB of the shared SDK chunk), which
   * @aws-sdk/core loads for the clients that speak it. Only for bundles none of whose clients do
   * (each client's runtimeConfig.shared names its protocol); a stub throws if one ever asks.
   */
  withoutCborProtocol?: boolean;
  /**
   * Files copied next to index.js (name in the bundle -> path in the repository), for code that
   * loads them at run time: libpg-query's WASM parser (1.7 MB) stays a file beside the bundle
   * instead of 2.3 MB of base64 inside it.
   */
  files?: Record<string, string>;
  /**
   * Defines __dirname and __filename (of index.js) for CommonJS code that ncc leaves using them in
   * the ES module bundle: the Emscripten loader of libpg-query finds its .wasm through __dirname.
   */
  commonJsPaths?: boolean;
  /** More entry points bundled beside index.js (file name -> source), sharing its assets. */
  entries?: Record<string, string>;
}

const COMMONJS_PATHS_SHIM =
  "import{fileURLToPath as __suiteFileURLToPath}from'node:url';const __filename=__suiteFileURLToPath(import.meta.url);const __dirname=__suiteFileURLToPath(new URL('.',import.meta.url)).replace(/\\/$/,'');\n";

/** The chunks ncc writes for dynamic imports: `<id>.index.js`. */
const CHUNK = /^\d+\.index\.js$/;

const BROWSER_USER_AGENT_STUB = 'browser-user-agent.cjs';
const BROWSER_USER_AGENT_STUB_SOURCE = `// Stands in for bowser: @aws-sdk/core parses a browser's user agent with it, which Node never has.
exports.parse = () => ({});
`;

const CBOR_PROTOCOL_STUB = 'cbor-protocol.cjs';
const CBOR_PROTOCOL_STUB_SOURCE = `// Stands in for @smithy/core/cbor: no client of this bundle speaks Smithy RPC v2 CBOR.
const unbundled = () => {
  throw new Error('aws-ship-suite: the Smithy RPC v2 CBOR protocol is not bundled in this action');
};
exports.SmithyRpcV2CborProtocol = class SmithyRpcV2CborProtocol {
  constructor() {
    unbundled();
  }
};
exports.loadSmithyRpcV2CborErrorCode = unbundled;
`;

const CREDENTIAL_CHAIN_STUB = 'default-credential-chain.cjs';
const CREDENTIAL_CHAIN_STUB_SOURCE = `// Stands in for @aws-sdk/credential-provider-node: this action passes credentials explicitly.
exports.defaultProvider = () => async () => {
  throw new Error('aws-ship-suite: no credentials were passed to this AWS call, and the default credential chain is not bundled');
};
`;

export async function bundle(entry: string, options: BundleOptions = {}): Promise<Bundle> {
  const main = await bundleOne(entry, options);
  for (const [name, source] of Object.entries(options.entries ?? {})) {
    let extra = await bundleOne(source, options);
    // Entries share the directory, so a shared chunk must be the same file for both. An entry
    // whose chunks number the same modules differently (another set of modules: ncc's ids
    // depend on it) gets chunks of its own, named after it.
    const differs = (file: string, asset: { source: string | Buffer }) =>
      main.assets[file] !== undefined &&
      Buffer.compare(Buffer.from(main.assets[file].source), Buffer.from(asset.source)) !== 0;
    if (
      Object.entries(extra.assets).some(([file, asset]) => CHUNK.test(file) && differs(file, asset))
    )
      extra = withOwnChunks(name, extra);
    for (const [file, asset] of Object.entries(extra.assets)) {
      const mine = main.assets[file];
      if (mine && Buffer.compare(Buffer.from(mine.source), Buffer.from(asset.source)) !== 0) {
        throw new Error(`${name} and index.js both need ${file}, with different contents`);
      }
      main.assets[file] = asset;
    }
    main.assets[name] = { source: extra.code };
  }
  return main;
}

/** The entry's chunks renamed `<id>.<entry>.js` (`<id>.index.js` is ncc's name for them). */
function withOwnChunks(entry: string, { code, assets }: Bundle): Bundle {
  const suffix = `.${entry.replace(/\.js$/, '')}.js`;
  // ncc's runtime names a chunk in one place: `__nccwpck_require__.u=e=>""+e+".index.js"`.
  const naming = /(__nccwpck_require__\.u=(\w+)=>""\+\2\+")\.index\.js"/g;
  if ((code.match(naming) ?? []).length !== 1) {
    throw new Error(`${entry}: ncc's chunk naming was not found once in its code`);
  }
  const renamed = Object.entries(assets).map(([file, asset]): [string, typeof asset] => [
    CHUNK.test(file) ? file.replace(/\.index\.js$/, suffix) : file,
    asset,
  ]);
  return { code: code.replace(naming, `$1${suffix}"`), assets: Object.fromEntries(renamed) };
}

async function bundleOne(entry: string, options: BundleOptions): Promise<Bundle> {
  const { code, assets = {} } = await ncc(entry, {
    minify: true,
    sourceMap: false,
    quiet: true,
    target: 'es2023',
    externals: {
      ...(options.withoutDefaultCredentialChain
        ? { '@aws-sdk/credential-provider-node': `./${CREDENTIAL_CHAIN_STUB}` }
        : {}),
      ...(options.withoutBrowserUserAgentParser ? { bowser: `./${BROWSER_USER_AGENT_STUB}` } : {}),
      ...(options.withoutCborProtocol ? { '@smithy/core/cbor': `./${CBOR_PROTOCOL_STUB}` } : {}),
    },
  });
  // ncc minifies the entry, not the chunks it splits off at dynamic imports.
  for (const [name, asset] of Object.entries(assets)) {
    if (!CHUNK.test(name)) continue;
    const minified = await minify(asset.source.toString(), {
      compress: true,
      mangle: true,
      module: true,
      ecma: 2023,
    });
    // A chunk is an ES module of its own: the CommonJS paths need defining in it too.
    assets[name] = {
      source: options.commonJsPaths ? COMMONJS_PATHS_SHIM + minified.code : minified.code,
    };
  }
  if (options.withoutDefaultCredentialChain) {
    assets[CREDENTIAL_CHAIN_STUB] = { source: CREDENTIAL_CHAIN_STUB_SOURCE };
  }
  if (options.withoutBrowserUserAgentParser) {
    assets[BROWSER_USER_AGENT_STUB] = { source: BROWSER_USER_AGENT_STUB_SOURCE };
  }
  if (options.withoutCborProtocol) {
    assets[CBOR_PROTOCOL_STUB] = { source: CBOR_PROTOCOL_STUB_SOURCE };
  }
  for (const [name, path] of Object.entries(options.files ?? {})) {
    assets[name] = { source: await readFile(path) };
  }
  return { code: options.commonJsPaths ? COMMONJS_PATHS_SHIM + code : code, assets };
}

/** Replaces `directory` with the bundle: index.js and its assets (package.json among them). */
export async function writeBundle(directory: string, { code, assets }: Bundle): Promise<void> {
  await rm(directory, { recursive: true, force: true });
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, 'index.js'), code);
  for (const [file, asset] of Object.entries(assets)) {
    await mkdir(join(directory, file, '..'), { recursive: true });
    await writeFile(join(directory, file), asset.source);
  }
}
