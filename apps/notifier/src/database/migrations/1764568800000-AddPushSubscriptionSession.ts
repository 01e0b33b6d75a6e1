import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '#lib/platform';

/**
 * A push subscription remembers the login (session) it was registered from, so that logging out on that device
 * removes it. Subscriptions from before have none: only an admin's revoke (every device) removes those.
 */
export class AddPushSubscriptionSession1764568800000 implements MigrationInterface {
  name = 'AddPushSubscriptionSession1764568800000';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`ALTER TABLE "${s}"."push_subscription" ADD COLUMN "session_id" uuid`);
    await q.query(
      `CREATE INDEX "push_subscription_session_idx" ON "${s}"."push_subscription" ("session_id") WHERE "session_id" IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`DROP INDEX "${s}"."push_subscription_session_idx"`);
    await q.query(`ALTER TABLE "${s}"."push_subscription" DROP COLUMN "session_id"`);
  }
}
