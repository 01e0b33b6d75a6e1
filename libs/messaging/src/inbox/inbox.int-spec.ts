import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { EventSubject, type EventEnvelope } from '#lib/contracts';
import { createDataSource, dropDataSource, uniqueSchema } from '../../../../test/support/database.js';
import { sleep } from '../../../../test/support/wait.js';
import { claimInbox, claimInboxAll, InboxEntity, inboxTableSql } from './inbox.js';
import { taskAssignedEvent } from '../../../../test/support/events.js';

const schema = uniqueSchema('inbox');

class CreateInbox1764300000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    for (const sql of inboxTableSql(schema)) {
      await runner.query(sql);
    }
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "${schema}"."inbox"`);
  }
}

const taskAssigned = (): EventEnvelope => taskAssignedEvent();

describe('claimInbox (PostgreSQL)', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await createDataSource(schema, [InboxEntity], [CreateInbox1764300000000]);
  });

  afterAll(async () => {
    await dropDataSource(dataSource, schema);
  });

  const claimInTransaction = (consumer: string, event: EventEnvelope): Promise<boolean> =>
    dataSource.transaction((manager) => claimInbox(manager, consumer, event));

  it('claims an event once per consumer: later deliveries to that consumer are no-ops', async () => {
    const event = taskAssigned();

    await expect(claimInTransaction('notifier', event)).resolves.toBe(true);
    await expect(claimInTransaction('notifier', event)).resolves.toBe(false);
    await expect(claimInTransaction('notifier', event)).resolves.toBe(false);
    // Another consumer processes the same event on its own.
    await expect(claimInTransaction('timeline', event)).resolves.toBe(true);

    const rows: { consumer: string; subject: string }[] = await dataSource.query(
      `SELECT consumer, subject FROM "${schema}"."inbox" WHERE event_id = $1 ORDER BY consumer`,
      [event.id],
    );
    expect(rows).toEqual([
      { consumer: 'notifier', subject: EventSubject.TaskAssigned },
      { consumer: 'timeline', subject: EventSubject.TaskAssigned },
    ]);
  });

  it('forgets a claim whose transaction rolled back, so the redelivery is processed', async () => {
    const event = taskAssigned();

    await expect(
      dataSource.transaction(async (manager) => {
        expect(await claimInbox(manager, 'notifier', event)).toBe(true);
        throw new Error('the handler failed after claiming');
      }),
    ).rejects.toThrow('the handler failed after claiming');

    await expect(claimInTransaction('notifier', event)).resolves.toBe(true);
  });

  it('claims a batch in one statement: the events not processed before, each once', async () => {
    const [seen, fresh1, fresh2] = [taskAssigned(), taskAssigned(), taskAssigned()];
    await expect(claimInTransaction('notifier', seen)).resolves.toBe(true);
    const claimed = await dataSource.transaction((manager) =>
      claimInboxAll(manager, 'notifier', [fresh1, seen, fresh2]),
    );
    expect([...claimed].sort()).toEqual([fresh1.id, fresh2.id].sort());
    // Delivered again, as a batch or alone: nothing left to claim.
    await expect(
      dataSource.transaction((manager) => claimInboxAll(manager, 'notifier', [fresh2, fresh1])),
    ).resolves.toEqual(new Set());
    await expect(claimInTransaction('notifier', fresh1)).resolves.toBe(false);
    // A batch whose transaction rolled back claimed nothing.
    const rolledBack = taskAssigned();
    await expect(
      dataSource.transaction(async (manager) => {
        expect(await claimInboxAll(manager, 'notifier', [rolledBack])).toEqual(new Set([rolledBack.id]));
        throw new Error('the batch failed after claiming');
      }),
    ).rejects.toThrow('the batch failed after claiming');
    await expect(claimInTransaction('notifier', rolledBack)).resolves.toBe(true);
  });

  it('lets exactly one of two concurrent deliveries of the same event through', async () => {
    for (let round = 0; round < 5; round += 1) {
      const event = taskAssigned();
      const deliver = (): Promise<boolean> =>
        dataSource.transaction(async (manager) => {
          const claimed = await claimInbox(manager, 'notifier', event);
          await sleep(30); // the handler's effect, inside the same transaction
          return claimed;
        });

      const results = await Promise.all([deliver(), deliver()]);
      expect(results.filter(Boolean)).toHaveLength(1);
    }
  });

  it('takes the locks it is given before it writes the row: a claim waits for the holder of those locks', async () => {
    const event = taskAssigned();
    const key = Math.floor(Math.random() * 2 ** 31);
    const holder = dataSource.createQueryRunner();
    await holder.connect();
    try {
      await holder.startTransaction();
      await holder.query('SELECT pg_advisory_xact_lock($1)', [key]);

      let claimed: boolean | undefined;
      const claim = dataSource
        .transaction((manager) =>
          claimInbox(manager, 'notifier', event, { sql: 'SELECT pg_advisory_xact_lock($1)', params: [key] }),
        )
        .then((result) => (claimed = result));
      await sleep(200);
      expect(claimed).toBeUndefined(); // waiting for the lock, nothing written

      await holder.commitTransaction();
      await expect(claim).resolves.toBe(true);
      await expect(claimInTransaction('notifier', event)).resolves.toBe(false);
    } finally {
      if (holder.isTransactionActive) {
        await holder.rollbackTransaction();
      }
      await holder.release();
    }
  });

  it('makes the second delivery wait for the first one and see its commit', async () => {
    const event = taskAssigned();
    const first = dataSource.createQueryRunner();
    const second = dataSource.createQueryRunner();
    await first.connect();
    await second.connect();
    try {
      await first.startTransaction();
      await second.startTransaction();
      expect(await claimInbox(first.manager, 'notifier', event)).toBe(true);

      let secondResult: boolean | undefined;
      const secondClaim = claimInbox(second.manager, 'notifier', event).then((claimed) => (secondResult = claimed));
      await sleep(200);
      expect(secondResult).toBeUndefined(); // blocked on the first transaction's row

      await first.commitTransaction();
      await expect(secondClaim).resolves.toBe(false);
      await second.commitTransaction();
    } finally {
      if (first.isTransactionActive) {
        await first.rollbackTransaction();
      }
      if (second.isTransactionActive) {
        await second.rollbackTransaction();
      }
      await first.release();
      await second.release();
    }
  });
});
