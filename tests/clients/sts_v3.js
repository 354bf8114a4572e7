// GetCallerIdentity with the JavaScript SDK v3's default credential chain, for the tests of the
// credential endpoint (tests/sdk_clients.rs). Prints the account, or the SDK's error on stderr.
const { STSClient, GetCallerIdentityCommand } = require("@aws-sdk/client-sts");

const client = new STSClient({ endpoint: process.env.AWS_ENDPOINT_URL, region: "us-east-1" });
client
  .send(new GetCallerIdentityCommand({}))
  .then((r) => console.log(r.Account))
  .catch((e) => {
    console.error(`${e.name}: ${e.message}`);
    process.exit(1);
  });
