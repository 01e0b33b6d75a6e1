import { describe, expect, it } from '@jest/globals';
import { fromTwilioStatus, isProgress, statusesBefore } from './notification-status.js';

describe('notification status', () => {
  it('only moves forward: a late "sent" never overwrites "delivered"', () => {
    expect(isProgress('queued', 'sent')).toBe(true);
    expect(isProgress('sent', 'delivered')).toBe(true);
    expect(isProgress('delivered', 'sent')).toBe(false);
    expect(isProgress('delivered', 'delivered')).toBe(false);
    expect(isProgress('failed', 'sent')).toBe(false);
  });

  it('keeps the first final answer of the channel: a delivered message does not become failed', () => {
    expect(isProgress('delivered', 'failed')).toBe(false);
    expect(isProgress('failed', 'delivered')).toBe(false);
    expect(isProgress('sent', 'expired')).toBe(true);
  });

  it('marks as acknowledged only a notification that reached the person', () => {
    expect(statusesBefore('acknowledged').sort()).toEqual(['delivered', 'local_outbox', 'sent']);
    expect(isProgress('failed', 'acknowledged')).toBe(false);
    expect(isProgress('queued', 'acknowledged')).toBe(false);
  });

  it('reads Twilio statuses, with an expired validity period as expired', () => {
    expect(fromTwilioStatus('queued', undefined)).toBe('sent');
    expect(fromTwilioStatus('delivered', undefined)).toBe('delivered');
    expect(fromTwilioStatus('undelivered', '30003')).toBe('failed');
    expect(fromTwilioStatus('failed', '30036')).toBe('expired');
    expect(fromTwilioStatus('something-new', undefined)).toBeUndefined();
  });
});
