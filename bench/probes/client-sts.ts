// Probe: load the AWS SDK STS client and construct one, as an action does before its first call.
import { STSClient } from '@aws-sdk/client-sts';

new STSClient({ region: 'us-east-1' });
