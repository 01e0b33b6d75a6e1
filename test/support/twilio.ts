/** The Twilio account of the tests: the fake Twilio API accepts these, the notifier signs webhooks with them. */
export const TEST_TWILIO = {
  accountSid: `AC${'0123456789abcdef'.repeat(2)}`,
  authToken: 'test-auth-token-0123456789',
  from: '+3197010000001',
};
