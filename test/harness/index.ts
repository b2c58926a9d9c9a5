export { decodeJwt, signJwt, type DecodedJwt } from './jwt.ts';
export {
  defaultGitHubContext,
  type GitHubContext,
  type GitHubContextOverrides,
} from './github-context.ts';
export {
  startOidcIssuer,
  type EndpointBehaviour,
  type IssuedToken,
  type IssuerBehaviour,
  type MintOptions,
  type OidcIssuer,
  type OidcIssuerOptions,
} from './oidc-issuer.ts';
export {
  ActionTimeoutError,
  cleanupActionRuns,
  runAction,
  startAction,
  type ActionRun,
  type CancelOptions,
  type RunActionOptions,
  type RunningAction,
  type StepName,
  type StepOutcome,
  type StepRun,
} from './run-action.ts';
export { encodedForms, expectNoSecretsIn, findLeakedSecrets } from './secrets.ts';
export type { Annotation, AnnotationLevel } from './workflow-commands.ts';
export { runnerView } from './runner-view.ts';
export { type ForwardProxy, startForwardProxy } from './forward-proxy.ts';
