import { appLink } from '../sms/sms-text.js';
import type { PushMessage } from './push-sender.port.js';

/** What a push message is built from: ids and the drill flag, nothing a person wrote or a name. */
export interface PushSubject {
  taskId: string | null;
  announcementId: string | null;
  aftercareItemId?: string | null;
  incidentId: string;
  cause: { drill: boolean };
}

/**
 * The push payload of a notification: a reference and a link. No calamity type, names or free text — they
 * would pass through the browser vendors' push services (the payload is encrypted, but kept minimal anyway).
 */
export function pushMessage(publicBaseUrl: string, n: PushSubject): PushMessage {
  const drill = n.cause.drill;
  const label = drill ? 'Crisisklaar (oefening)' : 'Crisisklaar';
  if (n.aftercareItemId) {
    return {
      v: 1,
      kind: 'aftercare',
      aftercareItemId: n.aftercareItemId,
      incidentId: n.incidentId,
      drill,
      url: appLink(publicBaseUrl, { kind: 'aftercare', id: n.aftercareItemId }),
      title: `${label}: nazorg`,
      body: 'Er staat nazorg voor je klaar: open de app. / Aftercare is due: open the app.',
      actions: [{ action: 'open', title: 'Openen' }],
    };
  }
  if (n.announcementId) {
    return {
      v: 1,
      kind: 'announcement',
      announcementId: n.announcementId,
      incidentId: n.incidentId,
      drill,
      url: appLink(publicBaseUrl, { kind: 'announcement', id: n.announcementId }),
      title: `${label}: bericht van het crisisteam`,
      body: 'Open de app om het te lezen. / Open the app to read it.',
      actions: [{ action: 'open', title: 'Openen' }],
    };
  }
  return {
    v: 1,
    kind: 'task',
    taskId: n.taskId!,
    incidentId: n.incidentId,
    drill,
    url: appLink(publicBaseUrl, { kind: 'task', id: n.taskId! }),
    title: `${label}: nieuwe taak`,
    body: 'Open de app voor je taak. / Open the app for your task.',
    actions: [
      { action: 'acknowledge', title: 'Ik pak het op' },
      { action: 'open', title: 'Openen' },
    ],
  };
}
