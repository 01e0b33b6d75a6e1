import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** What an erased text reads as: the fact that something was there stays, the words go. */
export const ERASED = '[gewist / erased]';

/**
 * The personal texts activation holds about an incident, erased once the board's retention period has passed
 * (the gateway calls this after the timeline erased its own, which is where the period is checked). The structure
 * stays: who did what, when, which version, which state. Running it again changes nothing.
 */
@Injectable()
export class ErasureService {
  private readonly log = new Logger(ErasureService.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async erase(incidentId: string): Promise<{ erased: number }> {
    const erased = await this.dataSource.transaction(async (manager) => {
      const s = `"${(this.dataSource.options as { schema?: string }).schema ?? 'public'}"`;
      const statements: [string, unknown[]][] = [
        [`UPDATE ${s}."incident" SET "summary" = $2 WHERE "id" = $1 AND "summary" <> $2`, [incidentId, ERASED]],
        [
          `UPDATE ${s}."task" SET "note" = $2 WHERE "incident_id" = $1 AND "note" IS NOT NULL AND "note" <> $2`,
          [incidentId, ERASED],
        ],
        [
          `UPDATE ${s}."message" SET "title" = $2, "body" = $2, "facts" = NULL, "family_approval_note" = NULL,
             "release_note" = NULL WHERE "incident_id" = $1 AND "body" <> $2`,
          [incidentId, ERASED],
        ],
        [
          `UPDATE ${s}."message_version" v SET "title" = $2, "body" = $2, "facts" = NULL
             FROM ${s}."message" m WHERE m."id" = v."message_id" AND m."incident_id" = $1 AND v."body" <> $2`,
          [incidentId, ERASED],
        ],
        [
          `UPDATE ${s}."communication_agreement" SET "may_share" = NULL, "funeral" = NULL, "condolence" = NULL,
             "class_participation" = NULL, "police_agreed" = NULL, "board_agreed" = NULL, "photo_consent" = NULL,
             "address_consent" = NULL
           WHERE "incident_id" = $1 AND num_nonnulls("may_share", "funeral", "condolence", "class_participation",
             "police_agreed", "board_agreed", "photo_consent", "address_consent") > 0`,
          [incidentId],
        ],
        [
          `UPDATE ${s}."family_contact" SET "note" = $2 WHERE "incident_id" = $1 AND "note" <> $2`,
          [incidentId, ERASED],
        ],
        [
          `UPDATE ${s}."press_entry" SET "asked_by" = $2, "question" = $2,
             "answer" = CASE WHEN "answer" IS NULL THEN NULL ELSE $2 END
           WHERE "incident_id" = $1 AND "question" <> $2`,
          [incidentId, ERASED],
        ],
        [
          `UPDATE ${s}."party_contact" SET "outcome" = $2 WHERE "incident_id" = $1 AND "outcome" <> $2`,
          [incidentId, ERASED],
        ],
        [`UPDATE ${s}."legal_step" SET "note" = $2 WHERE "incident_id" = $1 AND "note" <> $2`, [incidentId, ERASED]],
        [`DELETE FROM ${s}."social_map_entry" WHERE "incident_id" = $1`, [incidentId]],
      ];
      let count = 0;
      for (const [sql, params] of statements) {
        const runner = manager.queryRunner!;
        const result = await runner.query(sql, params, true);
        count += result.affected ?? 0;
      }
      return count;
    });
    this.log.log(`incident ${incidentId}: ${erased} personal text(s) erased`);
    return { erased };
  }
}
