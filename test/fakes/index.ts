// Local fakes of the services outside the building (DESIGN.md §7): a Web Push service and the Twilio API.
export {
  FakePushService,
  startFakePushService,
  type BrowserPushSubscription,
  type FakePushServiceOptions,
  type PushHeaders,
  type PushServiceEvent,
  type ReceivedPush,
  type RejectedPush,
  type RespondWithOptions,
} from './push-service.fake.js';
export {
  FakeTwilioApi,
  LocalTwilioHttpClient,
  startFakeTwilioApi,
  type CallbackFailure,
  type FakeSmsMessage,
  type FakeTwilioApiOptions,
  type SignedRequest,
  type TwilioApiEvent,
  type WebhookResponse,
} from './twilio-api.fake.js';
export { type VapidIdentity } from './vapid.js';
