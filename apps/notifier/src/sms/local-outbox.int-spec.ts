import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { EventSubject } from '#lib/contracts';
import { taskAssignedEvent } from '../../../../test/support/events.js';
import { NotifierHarness } from '../../../../test/support/notifier-harness.js';
import { waitFor } from '../../../../test/support/wait.js';
import { AnnouncementService, ERASED_TEXT } from '../announcement/announcement.service.js';
import { ContactEntity } from '../contact/contact.entity.js';
import { ContactRpcController } from '../contact/contact.rpc.controller.js';
import { EscalationService } from '../escalation/escalation.service.js';
import { LoginCodeRpcController } from './login-code.rpc.controller.js';
import { SmsMessageEntity } from './sms-message.entity.js';

/** No Twilio settings: SMS are kept in the local outbox, shown as NOT sent, and escalation still runs. */
describe('local SMS outbox', () => {
  let h: NotifierHarness;

  beforeAll(async () => {
    h = await NotifierHarness.start({
      TWILIO_ACCOUNT_SID: '',
      TWILIO_AUTH_TOKEN: '',
      TWILIO_FROM: '',
      TWILIO_API_BASE_URL: '',
      ESCALATION_WAIT_CRITICAL_SECONDS: '2',
    });
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('keeps the SMS locally, labels it as not sent on the delivery board, and hands over after the wait', async () => {
    const personId = randomUUID();
    await h.dataSource
      .getRepository(ContactEntity)
      .insert({ personId, phone: '+31611112222', channelOrder: ['push', 'sms'], updatedAt: new Date() });
    const event = taskAssignedEvent(
      { taskId: randomUUID(), assigneeId: personId },
      { incidentId: randomUUID(), correlationId: randomUUID() },
    );
    await h.get(EscalationService).onTaskEvent(event);
    const kept = await waitFor(
      async () => {
        const rows = await h.dataSource.getRepository(SmsMessageEntity).find();
        return rows.find((r) => r.body.includes(event.payload.taskId));
      },
      { timeoutMs: 10_000 },
    );
    expect(kept).toMatchObject({ provider: 'local-outbox', toPhone: '+31611112222', sid: null });
    // The row is written before the hand-over; the status follows right after it.
    const sms = await waitFor(async () => {
      const board = await h.get(ContactRpcController).deliveries({ incidentId: event.incidentId });
      return board.find((d) => d.channel === 'sms' && d.status !== 'queued');
    });
    expect(sms).toMatchObject({ status: 'local_outbox', provider: 'local-outbox' });
    expect(sms.label.nl).toContain('NIET verstuurd');
    expect(sms.label.en).toContain('NOT sent');
    expect(h.twilio.messages).toHaveLength(0);
    await waitFor(
      async () =>
        (await h.outboxTypes((p) => p.taskId === event.payload.taskId)).includes(
          EventSubject.NotificationUnacknowledged,
        ),
      { timeoutMs: 10_000 },
    );
  });

  it('refuses every Twilio webhook: without an auth token none can be genuine', async () => {
    const { TwilioWebhookService } = await import('./twilio-webhook.service.js');
    const answer = await h.get(TwilioWebhookService).status({
      path: '/webhooks/twilio/status',
      params: { MessageSid: 'SM1', MessageStatus: 'delivered' },
      signature: 'anything',
    });
    expect(answer.status).toBe(403);
  });
  it('never keeps or logs a login code: without an SMS provider the code is not handed over at all', async () => {
    const personId = randomUUID();
    await h.dataSource
      .getRepository(ContactEntity)
      .insert({ personId, phone: '+31611113333', channelOrder: ['push', 'sms'], updatedAt: new Date() });
    const answer = await h.get(LoginCodeRpcController).send({ personId, code: '246810', validMinutes: 10 });
    expect(answer).toEqual({ outcome: 'kept-locally', phoneHint: '•••• 33' });
    const rows = await h.dataSource.getRepository(SmsMessageEntity).find();
    expect(rows.filter((r) => r.body.includes('246810'))).toEqual([]);
    expect(
      await h.get(LoginCodeRpcController).send({ personId: randomUUID(), code: '246810', validMinutes: 10 }),
    ).toEqual({ outcome: 'no-phone', phoneHint: null });
  });
  it('erases the texts of an incident’s announcements when the board’s retention passed, once', async () => {
    const incidentId = randomUUID();
    const announcements = h.get(AnnouncementService);
    const created = await announcements.create({
      announcementId: randomUUID(),
      incidentId,
      schoolId: randomUUID(),
      boardId: randomUUID(),
      drill: false,
      authorId: randomUUID(),
      audience: 'crisis-team',
      text: 'Sanne is overleden; morgen 8:00 overleg',
      recipientIds: [],
      correlationId: randomUUID(),
    });
    expect(await announcements.eraseTexts(incidentId)).toEqual({ erased: 1 });
    expect((await announcements.get(created.id))!.text).toBe(ERASED_TEXT);
    expect(await announcements.eraseTexts(incidentId)).toEqual({ erased: 0 });
  });
});
