// Stands in for bowser: @aws-sdk/core parses a browser's user agent with it, which Node never has.
exports.parse = () => ({});
