/**
 * Every text Crisisklaar sends by SMS, in one place (a test scans them). SMS travel in the clear through
 * providers and carriers: they say "open the app" with a link, and never carry a name, the calamity type or
 * anything a person typed.
 */
export interface SmsSubject {
  kind: 'task' | 'announcement' | 'aftercare';
  id: string;
  drill: boolean;
}

const prefix = (drill: boolean) => (drill ? 'Crisisklaar OEFENING/DRILL' : 'Crisisklaar');

export function appLink(publicBaseUrl: string, subject: Pick<SmsSubject, 'kind' | 'id'>): string {
  const base = publicBaseUrl.replace(/\/$/, '');
  const path = { task: 'tasks', announcement: 'announcements', aftercare: 'aftercare' }[subject.kind];
  return `${base}/app/${path}/${subject.id}`;
}

/** The SMS of a notification. */
export function smsBody(publicBaseUrl: string, subject: SmsSubject): string {
  const link = appLink(publicBaseUrl, subject);
  switch (subject.kind) {
    case 'task':
      return `${prefix(subject.drill)}: nieuwe taak voor jou. Open ${link} - antwoord OK om hem op te pakken. / New task: open the link, reply OK to take it.`;
    case 'announcement':
      return `${prefix(subject.drill)}: bericht van het crisisteam. Lees het in de app: ${link} / Message from the crisis team: read it in the app.`;
    case 'aftercare':
      return `${prefix(subject.drill)}: er staat nazorg voor je klaar. Open ${link} / Aftercare is due: open the link.`;
  }
}

/** The one-time login code of the second factor: the code and its lifetime, nothing else. */
export function loginCodeText(code: string, validMinutes: number): string {
  return `Crisisklaar: je inlogcode is ${code} (${validMinutes} min geldig). Deel hem met niemand. / Your login code is ${code} (valid ${validMinutes} min). Share it with no one.`;
}

/** Answers to an SMS reply (TwiML). */
export const REPLY_TEXT = {
  acknowledged: (link: string) => `Crisisklaar: je hebt de taak opgepakt. ${link} / You took the task on.`,
  nothingOpen: (base: string) =>
    `Crisisklaar: er staat geen taak voor je open. Open ${base.replace(/\/$/, '')}/app / No open task for you.`,
  notUnderstood: (link: string) =>
    `Crisisklaar: antwoord OK om je taak op te pakken, of open ${link} / Reply OK to take your task, or open the link.`,
  refused: (link: string) =>
    `Crisisklaar: dat lukte niet per sms. Open ${link} / That did not work by SMS; open the link.`,
};

/** The replies that acknowledge: `ok`, `ja`, `1` (any case, surrounding spaces and punctuation ignored). */
export function isAcknowledgement(body: string): boolean {
  return /^\s*(ok|oké|okay|ja|1)\s*[.!]?\s*$/i.test(body);
}
