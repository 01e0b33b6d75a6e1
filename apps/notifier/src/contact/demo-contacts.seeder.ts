import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DEMO_PEOPLE } from '#lib/demo';
import { ContactEntity } from './contact.entity.js';

/**
 * Seeds the demo people's fictional phone numbers into an empty contact table (DESIGN.md §6; off with
 * SEED_DEMO=false), so that a demo without push devices shows the SMS step: in the local outbox without Twilio.
 */
@Injectable()
export class DemoContactsSeeder {
  private readonly log = new Logger(DemoContactsSeeder.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async seedIfEmpty(): Promise<void> {
    const repo = this.dataSource.getRepository(ContactEntity);
    if ((await repo.count()) > 0) {
      return;
    }
    const now = new Date();
    await repo.insert(
      DEMO_PEOPLE.map((p) => ({ personId: p.id, phone: p.phone, channelOrder: ['push', 'sms'], updatedAt: now })),
    );
    this.log.log(`seeded the phone numbers of ${DEMO_PEOPLE.length} demo people`);
  }
}
