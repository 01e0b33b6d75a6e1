/** What a push message may carry: a reference and a link, never a calamity type, a name or free text. */
export interface PushMessage {
  v: 1;
  kind: 'task' | 'announcement' | 'aftercare';
  /** The task (kind task) or the announcement (kind announcement) the link opens. */
  taskId?: string;
  announcementId?: string;
  aftercareItemId?: string;
  incidentId: string;
  drill: boolean;
  url: string;
  title: string;
  body: string;
  actions: { action: 'acknowledge' | 'open'; title: string }[];
}

export interface PushTarget {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export type PushResult =
  | { outcome: 'accepted'; statusCode: number }
  /** The subscription no longer exists (404/410): delete it. */
  | { outcome: 'gone'; statusCode: number }
  /** Try again later (429, 5xx, network): `retryAfterMs` when the service said. */
  | { outcome: 'retry'; statusCode: number | null; retryAfterMs?: number; detail: string }
  /** Refused for good (other 4xx, e.g. payload too large). */
  | { outcome: 'rejected'; statusCode: number; detail: string };

export interface PushSender {
  /**
   * Opens the connection to the push service of `endpoint` ahead of a push that is about to be queued, when none
   * is open (the first push after a quiet spell). Returns at once and never throws.
   */
  preconnect(endpoint: string): void;
  /** `topic` collapses an earlier undelivered message about the same task on the push service. */
  send(
    target: PushTarget,
    message: PushMessage,
    options: { topic: string; urgency: 'high' | 'normal' },
  ): Promise<PushResult>;
}

export const PUSH_SENDER = Symbol('PUSH_SENDER');
