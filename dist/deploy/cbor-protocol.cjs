// Stands in for @smithy/core/cbor: no client of this bundle speaks Smithy RPC v2 CBOR.
const unbundled = () => {
  throw new Error('aws-ship-suite: the Smithy RPC v2 CBOR protocol is not bundled in this action');
};
exports.SmithyRpcV2CborProtocol = class SmithyRpcV2CborProtocol {
  constructor() {
    unbundled();
  }
};
exports.loadSmithyRpcV2CborErrorCode = unbundled;
