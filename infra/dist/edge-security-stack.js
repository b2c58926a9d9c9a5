// The us-east-1 stack holding one environment's CloudFront web ACL.
import { Stack } from 'aws-cdk-lib';
import { CloudFrontWaf } from "./waf.js";
export class EdgeSecurityStack extends Stack {
    webAclArn;
    constructor(scope, id, props) {
        super(scope, id, props);
        if (props.env?.region !== 'us-east-1')
            throw new Error('CloudFront web ACLs must be created in us-east-1.');
        this.webAclArn = new CloudFrontWaf(this, 'Waf', {
            name: props.name,
            rateLimit: props.rateLimit,
        }).webAcl.attrArn;
    }
}
