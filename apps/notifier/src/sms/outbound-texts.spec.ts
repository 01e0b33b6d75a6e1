import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { pushMessage } from '../push/push-message.js';
import { appLink, isAcknowledgement, loginCodeText, REPLY_TEXT, smsBody } from './sms-text.js';

const BASE = 'https://crisisklaar.example';

/** Every text that leaves Crisisklaar by push or SMS, for a task and an announcement, real and drill. */
function everyOutboundText(): { text: string; ids: string[] }[] {
  const out: { text: string; ids: string[] }[] = [];
  for (const drill of [false, true]) {
    const taskId = randomUUID();
    const announcementId = randomUUID();
    const incidentId = randomUUID();
    out.push({ text: smsBody(BASE, { kind: 'task', id: taskId, drill }), ids: [taskId] });
    out.push({ text: smsBody(BASE, { kind: 'announcement', id: announcementId, drill }), ids: [announcementId] });
    const aftercareItemId = randomUUID();
    out.push({ text: smsBody(BASE, { kind: 'aftercare', id: aftercareItemId, drill }), ids: [aftercareItemId] });
    out.push({
      text: JSON.stringify(
        pushMessage(BASE, { taskId: null, announcementId: null, aftercareItemId, incidentId, cause: { drill } }),
      ),
      ids: [aftercareItemId, incidentId],
    });
    for (const subject of [
      { taskId, announcementId: null },
      { taskId: null, announcementId },
    ]) {
      out.push({
        text: JSON.stringify(pushMessage(BASE, { ...subject, incidentId, cause: { drill } })),
        ids: [taskId, announcementId, incidentId],
      });
    }
  }
  const link = appLink(BASE, { kind: 'task', id: randomUUID() });
  for (const reply of [REPLY_TEXT.acknowledged(link), REPLY_TEXT.notUnderstood(link), REPLY_TEXT.refused(link)]) {
    out.push({ text: reply, ids: [link.split('/').at(-1)!] });
  }
  out.push({ text: REPLY_TEXT.nothingOpen(BASE), ids: [] });
  out.push({ text: loginCodeText('493817', 10), ids: ['493817'] });
  return out;
}

/** The fixed words the templates may use: anything else would be data (a name, a type, typed text). */
const ALLOWED = new Set(
  `crisisklaar oefening drill nieuwe taak voor jou open antwoord ok om hem op te pakken new task the link reply it take
   bericht van het crisisteam lees in de app message from crisis read je hebt opgepakt you took on er staat geen
   no for dat lukte niet per sms that did not work by your of or to openen pak https example tasks announcements
   v kind announcement incidentid taskid announcementid url title body actions action acknowledge ik true false
   read team lezen nazorg klaar aftercare is due aftercareitemid inlogcode login code min geldig valid deel met
   niemand share with one`.split(/\s+/),
);

describe('outbound texts (push and SMS)', () => {
  it('carry nothing but fixed words, ids and links: no names, no calamity type, no typed text', () => {
    for (const { text, ids } of everyOutboundText()) {
      let rest = text;
      for (const id of ids) {
        rest = rest.split(id).join(' ');
      }
      const words = rest
        .toLowerCase()
        .split(/[^a-zà-ÿ]+/)
        .filter((w) => w.length > 0);
      expect(words.filter((w) => !ALLOWED.has(w))).toEqual([]);
    }
  });

  it('fit in two SMS segments (160 GSM-7 characters each, 153 when joined)', () => {
    const sms = everyOutboundText().filter((t) => !t.text.startsWith('{'));
    for (const { text } of sms) {
      expect(text.length).toBeLessThanOrEqual(306);
      expect(text).toMatch(/^[\x20-\x7E]+$/); // GSM-7 safe: no emoji or curly quotes that force UCS-2
    }
  });

  it('reads ok, ja and 1 as an acknowledgement, and nothing else', () => {
    for (const yes of ['ok', 'OK', ' Ok ', 'ja', 'Ja!', '1', 'ok.']) {
      expect(isAcknowledgement(yes)).toBe(true);
    }
    for (const no of ['nee', 'ok maar later', '2', '', 'bel me', 'okay dan']) {
      expect(isAcknowledgement(no)).toBe(false);
    }
  });
});
