import type { AppRole } from '#lib/demo';

export const IMPORT_ROLES: readonly AppRole[] = ['staff', 'crisis_team', 'management', 'admin'];
const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;
export const MAX_IMPORT_LINES = 5000;

export interface StaffRow {
  line: number;
  email: string;
  name: string;
  role: AppRole;
  phone?: string;
  personId?: string;
}

export interface ImportError {
  line: number;
  field: string;
  message: string;
  messageNl: string;
}

/** One CSV line into fields: commas or semicolons (Dutch spreadsheets), double quotes around a field. */
function fields(line: string, separator: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        current += '"';
        i += 1;
      } else if (ch === '"') {
        quoted = false;
      } else {
        current += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === separator) {
      out.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  out.push(current);
  return out.map((f) => f.trim());
}

/**
 * A staff list as exported from a school's administration: `email,name,role[,phone]`, an optional header row,
 * commas or semicolons. Every line with a problem is reported with its number and field, in Dutch and English.
 */
export function parseStaffCsv(csv: string): { rows: StaffRow[]; errors: ImportError[] } {
  const lines = csv.replace(/^\uFEFF/, '').split(/\r?\n/);
  const separator = (lines[0] ?? '').includes(';') && !(lines[0] ?? '').includes(',') ? ';' : ',';
  const rows: StaffRow[] = [];
  const errors: ImportError[] = [];
  const seen = new Set<string>();
  const fail = (line: number, field: string, message: string, messageNl: string) =>
    errors.push({ line, field, message: `${field}: ${message}`, messageNl: `${field}: ${messageNl}` });
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') {
      return;
    }
    const [email = '', name = '', role = '', phone = ''] = fields(raw, separator);
    if (index === 0 && email.toLowerCase() === 'email') {
      return;
    }
    if (line > MAX_IMPORT_LINES + 1) {
      if (line === MAX_IMPORT_LINES + 2) {
        fail(
          line,
          'line',
          `at most ${MAX_IMPORT_LINES} lines per import`,
          `hoogstens ${MAX_IMPORT_LINES} regels per import`,
        );
      }
      return;
    }
    const normalised = email.toLowerCase();
    if (!EMAIL.test(normalised) || normalised.length > 254) {
      fail(line, 'email', 'not an e-mail address', 'geen e-mailadres');
    } else if (seen.has(normalised)) {
      fail(line, 'email', 'appears twice in the file', 'staat twee keer in het bestand');
    } else if (name.length < 1 || name.length > 200) {
      fail(line, 'name', 'between 1 and 200 characters', 'tussen 1 en 200 tekens');
    } else if (!(IMPORT_ROLES as readonly string[]).includes(role)) {
      fail(line, 'role', `one of ${IMPORT_ROLES.join(', ')}`, `een van ${IMPORT_ROLES.join(', ')}`);
    } else {
      seen.add(normalised);
      rows.push({ line, email: normalised, name, role: role as AppRole, ...(phone ? { phone } : {}) });
    }
  });
  return { rows, errors };
}
