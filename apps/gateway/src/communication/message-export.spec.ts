import { describe, expect, it } from '@jest/globals';
import type { MessageView } from '#lib/contracts';
import { messageHtml, messagePrintPage, messageText } from './message-export.js';

const message = {
  title: 'Aan de ouders van <De Regenboog>',
  body: 'Beste ouders,\n\nMet verdriet <script>alert(1)</script> delen wij...\nTweede regel.',
  language: 'nl',
  approval: { version: 3, by: 'x', at: '2026-11-28T13:05:00.000Z', checklist: [] },
  familyApproval: { approvedAt: '2026-11-28T14:00:00.000Z' },
} as unknown as MessageView;

describe('message export', () => {
  it('gives plain text as written', () => {
    expect(messageText(message)).toBe(`${message.title}\n\n${message.body}\n`);
  });

  it('escapes every text in the HTML fragment, keeping paragraphs and line breaks', () => {
    const html = messageHtml(message);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<h1>Aan de ouders van &lt;De Regenboog&gt;</h1>');
    expect(html.match(/<p>/g)).toHaveLength(2);
    expect(html).toContain('delen wij...<br>Tweede regel.');
  });

  it('prints the approved version with its approval times in Europe/Amsterdam', () => {
    const page = messagePrintPage(message, 'De Regenboog');
    expect(page).toContain('<html lang="nl">');
    expect(page).toContain('Versie 3, goedgekeurd 28 nov 2026, 14:05');
    expect(page).toContain('instemming familie 28 nov 2026, 15:00');
    expect(page).not.toContain('<script>');
  });
});
