import type { MessageView } from '#lib/contracts';
import { esc, local } from '../incident/report-html.js';

export const EXPORT_FORMATS = ['text', 'html', 'print'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Paragraphs as written: a blank line parts them, a single newline is a line break. */
function paragraphs(body: string): string {
  return body
    .split(/\n{2,}/)
    .map((p) => `<p>${p.split('\n').map(esc).join('<br>')}</p>`)
    .join('\n');
}

/** Plain text, for a parent portal or an e-mail program: the title, a blank line, the body. */
export function messageText(message: Pick<MessageView, 'title' | 'body'>): string {
  return `${message.title}\n\n${message.body}\n`;
}

/** An HTML fragment to paste into the school's own channel (no scripts, no styles, escaped). */
export function messageHtml(message: Pick<MessageView, 'title' | 'body' | 'language'>): string {
  return `<article lang="${message.language}">\n<h1>${esc(message.title)}</h1>\n${paragraphs(message.body)}\n</article>\n`;
}

/** A printable page: the school, the date in Europe/Amsterdam, the approved text, and who approved which version. */
export function messagePrintPage(message: MessageView, schoolName: string): string {
  const approved = message.approval
    ? `Versie ${message.approval.version}, goedgekeurd ${esc(local(message.approval.at))}` +
      (message.familyApproval.approvedAt ? `; instemming familie ${esc(local(message.familyApproval.approvedAt))}` : '')
    : '';
  return `<!doctype html>
<html lang="${message.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(message.title)}</title>
<style>
  body { font-family: Georgia, 'Times New Roman', serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #111; line-height: 1.5; }
  header { font-family: system-ui, sans-serif; font-size: 0.9rem; color: #333; border-bottom: 1px solid #999; margin-bottom: 1.5rem; }
  footer { font-family: system-ui, sans-serif; font-size: 0.8rem; color: #333; border-top: 1px solid #999; margin-top: 2rem; }
  @media print { body { margin: 0; } header, footer { color: #000; } }
</style>
</head>
<body>
<header><p>${esc(schoolName)} · ${esc(local(new Date().toISOString()))}</p></header>
<h1>${esc(message.title)}</h1>
${paragraphs(message.body)}
<footer><p>${approved}</p></footer>
</body>
</html>
`;
}
