// Runs the fake push service and the fake Twilio API until SIGINT/SIGTERM:
//   npm run build && node dist/test/fakes/run-fakes.js
// Logs one line per push or SMS with ids, statuses and lengths only: no numbers, no message text.
import { startFakePushService, type PushServiceEvent } from './push-service.fake.js';
import { startFakeTwilioApi, type TwilioApiEvent } from './twilio-api.fake.js';

const DEFAULT_ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const DEFAULT_AUTH_TOKEN = 'fake-twilio-auth-token-not-a-secret';

function logPushEvent(event: PushServiceEvent): void {
  if (event.type === 'received') {
    const { push } = event;
    console.log(
      `[push] 201 subscription=${push.subscriptionId} ttl=${push.headers.ttl} urgency=${push.headers.urgency ?? '-'} payloadLength=${push.payload.length}`,
    );
  } else {
    const { rejection } = event;
    console.log(
      `[push] ${rejection.status} subscription=${rejection.subscriptionId ?? '-'} reason=${rejection.reason}`,
    );
  }
}

function logTwilioEvent(event: TwilioApiEvent): void {
  switch (event.type) {
    case 'message':
      console.log(
        `[twilio] 201 sid=${event.message.sid} status=${event.message.status} bodyLength=${event.message.body.length}`,
      );
      break;
    case 'rejected':
      console.log(`[twilio] ${event.status} code=${event.code}`);
      break;
    case 'callback':
      console.log(
        `[twilio] callback sid=${event.sid} status=${event.status} answered=${event.httpStatus ?? 'no answer'}`,
      );
      break;
  }
}

const env = process.env;
const push = await startFakePushService({
  port: Number(env.FAKE_PUSH_PORT ?? 4443),
  ...(env.VAPID_PUBLIC_KEY ? { expectedVapidPublicKey: env.VAPID_PUBLIC_KEY } : {}),
});
const twilioApi = await startFakeTwilioApi({
  port: Number(env.FAKE_TWILIO_PORT ?? 4010),
  accountSid: env.TWILIO_ACCOUNT_SID ?? DEFAULT_ACCOUNT_SID,
  authToken: env.TWILIO_AUTH_TOKEN ?? DEFAULT_AUTH_TOKEN,
});
push.onEvent(logPushEvent);
twilioApi.onEvent(logTwilioEvent);

const demo = push.createSubscription();
console.log(`Fake push service: ${push.origin} (CA ${push.caFile})`);
console.log(`  VAPID key check: ${env.VAPID_PUBLIC_KEY ? 'only VAPID_PUBLIC_KEY accepted' : 'any valid key accepted'}`);
console.log(`  a subscription to register: ${JSON.stringify(demo.subscription)}`);
console.log(`Fake Twilio API: ${twilioApi.baseUrl}`);
console.log('Put in .env:');
console.log(`NODE_EXTRA_CA_CERTS=${push.caFile}`);
console.log(`TWILIO_API_BASE_URL=${twilioApi.baseUrl}`);
if (!env.TWILIO_ACCOUNT_SID || !env.TWILIO_AUTH_TOKEN) {
  console.log(`TWILIO_ACCOUNT_SID=${env.TWILIO_ACCOUNT_SID ?? DEFAULT_ACCOUNT_SID}`);
  console.log(`TWILIO_AUTH_TOKEN=${env.TWILIO_AUTH_TOKEN ?? DEFAULT_AUTH_TOKEN}`);
}

async function shutdown(signal: string): Promise<void> {
  console.log(`${signal}: stopping the fakes`);
  await Promise.all([push.close(), twilioApi.close()]);
  process.exit(0);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void shutdown(signal);
  });
}
