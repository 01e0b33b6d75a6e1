/**
 * The lifecycle of one notification: queued → sent (or local_outbox) → delivered → acknowledged, or one of
 * failed / expired / unreachable. Providers report late, twice and out of order, so a status only ever moves
 * to a higher rank: a late "sent" never overwrites "delivered", a replayed "delivered" changes nothing.
 */
export const NOTIFICATION_STATUSES = [
  'queued',
  'sent',
  'local_outbox',
  'delivered',
  'acknowledged',
  'failed',
  'expired',
  'unreachable',
] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

const RANK: Record<NotificationStatus, number> = {
  queued: 0,
  sent: 1,
  local_outbox: 1,
  delivered: 2,
  failed: 2,
  expired: 2,
  unreachable: 2,
  acknowledged: 3,
};

/** True when `next` is progress over `current` (and so may be stored). */
export function isProgress(current: NotificationStatus, next: NotificationStatus): boolean {
  if (next === 'acknowledged') {
    // Only a notification that reached the person can be the one that was acknowledged.
    return current === 'sent' || current === 'local_outbox' || current === 'delivered';
  }
  return RANK[next] > RANK[current];
}

/** The statuses from which `next` is progress: the guard of a compare-and-set UPDATE. */
export function statusesBefore(next: NotificationStatus): NotificationStatus[] {
  return NOTIFICATION_STATUSES.filter((current) => isProgress(current, next));
}

/** A status after which the channel will report nothing more that matters for escalation. */
export function isFailure(status: NotificationStatus): boolean {
  return status === 'failed' || status === 'expired' || status === 'unreachable';
}

/**
 * Twilio's message status (StatusCallback `MessageStatus`) as ours. Twilio error 30036 is "validity period
 * expired": the message was never delivered and must not be delivered hours later.
 */
export function fromTwilioStatus(status: string, errorCode: string | undefined): NotificationStatus | undefined {
  switch (status) {
    case 'accepted':
    case 'scheduled':
    case 'queued':
    case 'sending':
    case 'sent':
      return 'sent';
    case 'delivered':
    case 'read':
      return 'delivered';
    case 'undelivered':
    case 'failed':
    case 'canceled':
      return errorCode === '30036' ? 'expired' : 'failed';
    default:
      return undefined;
  }
}
