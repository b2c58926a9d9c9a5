// The SPA in a private S3 bucket behind CloudFront (origin access control), security headers,
// /api/* routed to the ALB over HTTPS, the WAF web ACL (created in us-east-1, handed in by ARN),
// access logs.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
export class Edge extends Construct {
    bucket;
    distribution;
    headers;
    customDomain;
    constructor(scope, id, props) {
        super(scope, id);
        this.customDomain = props.site !== undefined;
        const retain = props.removalPolicy === RemovalPolicy.RETAIN;
        this.bucket = new s3.Bucket(this, 'Site', {
            blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
            encryption: s3.BucketEncryption.S3_MANAGED,
            enforceSSL: true,
            minimumTLSVersion: 1.2,
            versioned: true,
            objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            serverAccessLogsBucket: props.logBucket,
            serverAccessLogsPrefix: 'site-bucket/',
            removalPolicy: props.removalPolicy,
            autoDeleteObjects: false,
            lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(retain ? 90 : 7) }],
        });
        this.headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
            securityHeadersBehavior: {
                strictTransportSecurity: {
                    accessControlMaxAge: Duration.days(365 * 2),
                    includeSubdomains: true,
                    preload: true,
                    override: true,
                },
                contentSecurityPolicy: {
                    contentSecurityPolicy: "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'; upgrade-insecure-requests",
                    override: true,
                },
                frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
                contentTypeOptions: { override: true },
                referrerPolicy: {
                    referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
                    override: true,
                },
            },
        });
        // The SPA routes on the client: a path without a file extension gets index.html. (Not
        // distribution-wide error responses: those would turn the API's own 404s into the page.)
        const spaRoutes = new cloudfront.Function(this, 'SpaRoutes', {
            runtime: cloudfront.FunctionRuntime.JS_2_0,
            code: cloudfront.FunctionCode.fromInline("function handler(event) { var r = event.request; if (!/\\.[A-Za-z0-9]+$/.test(r.uri)) { r.uri = '/index.html'; } return r; }"),
        });
        const api = new origins.HttpOrigin(props.apiOriginDomainName, {
            protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
        });
        this.distribution = new cloudfront.Distribution(this, 'Distribution', {
            comment: 'SPA and /api/*',
            defaultRootObject: 'index.html',
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
            priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
            webAclId: props.webAclArn,
            ...(props.site
                ? {
                    domainNames: [props.site.domainName],
                    certificate: acm.Certificate.fromCertificateArn(this, 'SiteCertificate', props.site.certificateArn),
                }
                : {}),
            enableLogging: true,
            logBucket: props.logBucket,
            logFilePrefix: 'cloudfront/',
            defaultBehavior: {
                origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
                viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                responseHeadersPolicy: this.headers,
                cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
                compress: true,
                functionAssociations: [
                    { function: spaRoutes, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
                ],
            },
            additionalBehaviors: {
                '/api/*': {
                    origin: api,
                    viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                    allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
                    cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
                    originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                    responseHeadersPolicy: this.headers,
                },
            },
        });
    }
}
