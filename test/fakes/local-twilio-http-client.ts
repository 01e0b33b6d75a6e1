/**
 * A twilio `RequestClient` that sends every API call to a base URL (e.g. the fake Twilio API) instead of
 * https://api.twilio.com. It is the notifier's own client for TWILIO_API_BASE_URL, so the fake is exercised by
 * the same code the app runs.
 *
 * @example twilio(accountSid, authToken, { httpClient: new LocalTwilioHttpClient(fake.baseUrl) })
 */
export { TwilioBaseUrlHttpClient as LocalTwilioHttpClient } from '../../apps/notifier/src/sms/twilio-base-url.http-client.js';
