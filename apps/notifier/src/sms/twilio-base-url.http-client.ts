import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';

/**
 * A twilio `RequestClient` that sends every API call to `baseUrl` instead of https://api.twilio.com, keeping
 * path and query. Only for TWILIO_API_BASE_URL: pointing the real client at a local fake in tests.
 */
export class TwilioBaseUrlHttpClient extends twilio.RequestClient {
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
