import { describe, expect, it } from '@jest/globals';
import { parseStaffCsv } from './staff-csv.js';

describe(parseStaffCsv.name, () => {
  it('reads a header row, commas, quotes and an optional phone', () => {
    const { rows, errors } = parseStaffCsv(
      'email,name,role,phone\r\nJ.Jansen@School.example,"Jansen, Jan",staff,0612345678\n\na.bakker@school.example,Anne Bakker,crisis_team\n',
    );
    expect(errors).toEqual([]);
    expect(rows).toEqual([
      { line: 2, email: 'j.jansen@school.example', name: 'Jansen, Jan', role: 'staff', phone: '0612345678' },
      { line: 4, email: 'a.bakker@school.example', name: 'Anne Bakker', role: 'crisis_team' },
    ]);
  });

  it('reads semicolons, as Dutch spreadsheets write them', () => {
    const { rows } = parseStaffCsv('p.smit@school.example;Piet Smit;management');
    expect(rows).toEqual([{ line: 1, email: 'p.smit@school.example', name: 'Piet Smit', role: 'management' }]);
  });

  it('reports each bad line with its number and field, in Dutch and English, and keeps the good ones', () => {
    const { rows, errors } = parseStaffCsv(
      [
        'geen-adres,Naam,staff',
        'x@school.example,,staff',
        'y@school.example,Y,principal',
        'z@school.example,Z,staff',
        'Z@school.example,Z2,staff',
      ].join('\n'),
    );
    expect(rows.map((r) => r.email)).toEqual(['z@school.example']);
    expect(errors.map((e) => [e.line, e.field])).toEqual([
      [1, 'email'],
      [2, 'name'],
      [3, 'role'],
      [5, 'email'],
    ]);
    expect(errors[2]!.messageNl).toBe('role: een van staff, crisis_team, management, admin');
  });
});
