// GetCallerIdentity with the JavaScript SDK v2's default credential chain, for the tests of the
// credential endpoint (tests/sdk_clients.rs). Prints the account, or the SDK's error on stderr.
const AWS = require("aws-sdk");

const sts = new AWS.STS({ endpoint: process.env.AWS_ENDPOINT_URL, region: "us-east-1" });
sts.getCallerIdentity({}, (err, data) => {
  if (err) {
    console.error(`${err.code}: ${err.message}`);
    process.exit(1);
  }
  console.log(data.Account);
});
