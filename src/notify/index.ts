export { notifyDeploy, type Delivery, type NotifyChannels, type NotifyResult } from './notify.ts';
export { noticeOf, type DeployEnd, type DeployFacts, type Notice } from './notice.ts';
export type { ChatWebhook, SlackMessage, TopicMessage, TopicPublisher } from './ports.ts';
