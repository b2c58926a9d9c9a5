// Stands in for @aws-sdk/credential-provider-node: this action passes credentials explicitly.
exports.defaultProvider = () => async () => {
  throw new Error('aws-ship-suite: no credentials were passed to this AWS call, and the default credential chain is not bundled');
};
