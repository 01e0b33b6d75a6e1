import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';

/**
 * A twilio `RequestClient` that sends every API call to `baseUrl` (e.g. the fake Twilio API)
 * instead of https://api.twilio.com, keeping path and query.
 *
 * @example twilio(accountSid, authToken, { httpClient: new LocalTwilioHttpClient(fake.baseUrl) })
 */
export class LocalTwilioHttpClient extends twilio.RequestClient {
  readonly #baseUrl: string;

  constructor(baseUrl: string, options: RequestClient.RequestClientOptions = {}) {
    super(options);
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const { pathname, search } = new URL(opts.uri);
    return super.request<TData>({ ...opts, uri: `${this.#baseUrl}${pathname}${search}` });
  }
}
