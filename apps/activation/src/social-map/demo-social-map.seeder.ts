import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { demoId, DEMO_BOARDS, DEMO_SCHOOLS } from '#lib/demo';
import { SocialMapEntryEntity } from './social-map.entities.js';

/**
 * Seeds the demo boards' sociale kaart with fictional local contacts (DESIGN.md §6; off with SEED_DEMO=false).
 * The numbers are not real: 020 000 ... is not in use. National numbers come from the catalog.
 */
@Injectable()
export class DemoSocialMapSeeder {
  private readonly log = new Logger(DemoSocialMapSeeder.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async seedIfEmpty(): Promise<void> {
    const repo = this.dataSource.getRepository(SocialMapEntryEntity);
    if ((await repo.count()) > 0) {
      return;
    }
    const now = new Date();
    const rows: SocialMapEntryEntity[] = [];
    const add = (key: string, boardId: string, schoolId: string | null, e: Partial<SocialMapEntryEntity>) =>
      rows.push({
        id: demoId(`social-map:${key}`),
        boardId,
        schoolId,
        incidentId: null,
        party: '',
        name: '',
        phone: '',
        phoneAlt: null,
        email: null,
        note: null,
        updatedBy: 'seed',
        updatedAt: now,
        ...e,
      });
    for (const [i, board] of DEMO_BOARDS.entries()) {
      const n = (k: number) => `020 000 ${i}${String(k).padStart(3, '0')}`;
      add(`${board.id}:police`, board.id, null, {
        party: 'police-school-contact',
        name: 'Politie, schoolcontactpersoon (demo)',
        phone: n(101),
        note: 'Bereikbaar op werkdagen 8:00-17:00; daarbuiten 0900-8844.',
      });
      add(`${board.id}:ggd`, board.id, null, {
        party: 'ggd-youth',
        name: 'GGD regio, psychosociaal team jeugd (demo)',
        phone: n(102),
        email: `psh-jeugd@ggd.${board.domain}`,
      });
      add(`${board.id}:senv`, board.id, null, {
        party: 'senv',
        name: 'School & Veiligheid, helpdesk (demo-nummer)',
        phone: n(103),
        note: 'Vervang door het nummer van de helpdesk uit het crisisplan van het bestuur.',
      });
      add(`${board.id}:municipality`, board.id, null, {
        party: 'municipality',
        name: 'Gemeente, team openbare orde en veiligheid (demo)',
        phone: n(104),
      });
    }
    for (const [i, school] of DEMO_SCHOOLS.entries()) {
      add(`${school.id}:police`, school.boardId, school.id, {
        party: 'police-school-contact',
        name: `Wijkagent ${school.name} (demo)`,
        phone: `06 0000 0${String(i + 1).padStart(3, '0')}`,
        note: 'Lokale aanvulling van de school.',
      });
    }
    await repo.insert(rows);
    this.log.log(`seeded the sociale kaart of ${DEMO_BOARDS.length} demo boards and ${DEMO_SCHOOLS.length} schools`);
  }
}
