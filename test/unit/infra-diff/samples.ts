// What aws-cdk 2.1149 `cdk diff --no-change-set` printed (stdout and stderr together), as the
// workflow captures it; the first was recorded against the emulator, the second is written by
// hand in the same format (the third, recorded, confirms the IAM table and replacement marks).
export const RECORDED = `current credentials could not be used to assume 'arn:aws:iam::123456789012:role/cdk-hnb659fds-deploy-role-123456789012-us-east-1', but are for the right account. Proceeding anyway.
Stack staging/App (shop-staging) (aws://123456789012/us-east-1)
Resources
[~] AWS::SNS::Topic App/Alerts Alerts91F83244
 └─ [~] DisplayName
     ├─ [-] old
     └─ [+] alerts


Lookup role arn:aws:iam::123456789012:role/cdk-hnb659fds-lookup-role-123456789012-us-east-1 was not assumed. Proceeding with default credentials.
Stack production/App (shop-production) (aws://123456789012/us-east-1)
Parameters
[+] Parameter App/BootstrapVersion BootstrapVersion: {"Type":"AWS::SSM::Parameter::Value<String>","Default":"/cdk-bootstrap/hnb659fds/version"}

Resources
[+] AWS::SNS::Topic App/Alerts Alerts91F83244



✨  Number of stacks with differences: 2
`;

export const RISKY = `\u001b[1mStack staging/Data (shop-staging-data)\u001b[22m
IAM Statement Changes
┌───┬─────────────┬────────┬────────────────┬──────────────────────────────┬───────────┐
│   │ Resource    │ Effect │ Action         │ Principal                    │ Condition │
├───┼─────────────┼────────┼────────────────┼──────────────────────────────┼───────────┤
│ + │ \${Role.Arn} │ Allow  │ sts:AssumeRole │ Service:lambda.amazonaws.com │           │
└───┴─────────────┴────────┴────────────────┴──────────────────────────────┴───────────┘
(NOTE: There may be security-related changes not in this list. See https://github.com/aws/aws-cdk/issues/1299)

Resources
[+] AWS::IAM::Role Data/Role Role1ABCC5F0
[~] AWS::SQS::Queue Data/Queue Queue4A7E3555 replace
 └─ [~] QueueName (requires replacement)
     ├─ [-] orders
     └─ [+] orders-v2
[-] AWS::SNS::Topic Data/Old Old1234 destroy

Stack staging/Edge (shop-staging-edge)
There were no differences

✨  Number of stacks with differences: 1
`;

/** Recorded too (aws-cdk 2.1149 against the emulator): an IAM role added, a queue renamed. */
export const RECORDED_IAM_AND_REPLACEMENT = `current credentials could not be used to assume 'arn:aws:iam::123456789012:role/cdk-hnb659fds-lookup-role-123456789012-us-east-1', but are for the right account. Proceeding anyway.
Lookup role arn:aws:iam::123456789012:role/cdk-hnb659fds-lookup-role-123456789012-us-east-1 was not assumed. Proceeding with default credentials.
Stack staging/App (shop-staging) (aws://123456789012/us-east-1)
IAM Statement Changes
┌───┬───────────────────┬────────┬────────────────┬──────────────────────────────┬───────────┐
│   │ Resource          │ Effect │ Action         │ Principal                    │ Condition │
├───┼───────────────────┼────────┼────────────────┼──────────────────────────────┼───────────┤
│ + │ \${App/Worker.Arn} │ Allow  │ sts:AssumeRole │ Service:lambda.amazonaws.com │           │
└───┴───────────────────┴────────┴────────────────┴──────────────────────────────┴───────────┘
(NOTE: There may be security-related changes not in this list. See https://github.com/aws/aws-cdk/issues/1299)

Resources
[+] AWS::IAM::Role App/Worker Worker11F36D0F
[~] AWS::SNS::Topic App/Alerts Alerts91F83244
 └─ [~] DisplayName
     ├─ [-] alerts
     └─ [+] v2
[~] AWS::SQS::Queue App/Orders OrdersA9B65338 replace
 └─ [~] QueueName (requires replacement)
     ├─ [-] orders
     └─ [+] orders-v2



✨  Number of stacks with differences: 1

`;
