import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { rpcError } from '#lib/platform';
import { CATALOG } from '../activation.settings.js';
import type { Catalog } from '../catalog/catalog.types.js';
import { durationMs } from '../protocol/iso-duration.js';
import { effectivePlan, unstaffedRoles, type EffectivePlan } from './effective-plan.js';
import type { PlanContent } from './plan-content.js';
import { PlanVersionEntity, type PlanScope } from './plan-version.entity.js';

export interface PlanView {
  scope: PlanScope;
  ownerId: string;
  boardId: string;
  version: number;
  content: PlanContent;
  createdAt: string;
  createdBy: string;
  /** Roles of the catalog that nobody available fills in the school's effective plan (board and school merged). */
  unstaffedRoles: string[];
}

/** The effective plan of a school with the versions it is made of (an incident records these). */
export interface SchoolPlan {
  plan: EffectivePlan;
  versions: { school: number | null; board: number | null };
}

@Injectable()
export class PlanService {
  private readonly log = new Logger(PlanService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CATALOG) private readonly catalog: Catalog,
  ) {}

  /** The newest version of a plan; null when none was ever saved. */
  async current(
    scope: PlanScope,
    ownerId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<PlanVersionEntity | null> {
    return manager.getRepository(PlanVersionEntity).findOne({ where: { scope, ownerId }, order: { version: 'DESC' } });
  }

  /** The plan a school runs on now: its own newest version over its board's. */
  async forSchool(
    schoolId: string,
    boardId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<SchoolPlan> {
    // Both newest versions in one read (a trigger waits for it).
    const newest = await manager
      .getRepository(PlanVersionEntity)
      .createQueryBuilder('p')
      .distinctOn(['p.scope'])
      .where(`(p.scope = 'school' AND p.ownerId = :schoolId) OR (p.scope = 'board' AND p.ownerId = :boardId)`, {
        schoolId,
        boardId,
      })
      .orderBy('p.scope')
      .addOrderBy('p.version', 'DESC')
      .getMany();
    const school = newest.find((p) => p.scope === 'school');
    const board = newest.find((p) => p.scope === 'board');
    return {
      plan: effectivePlan(board?.content ?? null, school?.content ?? null),
      versions: { school: school?.version ?? null, board: board?.version ?? null },
    };
  }

  /** The roles of the catalog nobody available fills at the school. */
  unstaffed(plan: EffectivePlan): string[] {
    return unstaffedRoles(
      plan,
      this.catalog.roles.map((r) => r.id),
    );
  }

  async view(scope: PlanScope, ownerId: string, boardId: string): Promise<PlanView | null> {
    const current = await this.current(scope, ownerId);
    if (!current) {
      return null;
    }
    return this.toView(current, scope === 'school' ? (await this.forSchool(ownerId, boardId)).plan : null);
  }

  /**
   * Saves a new version. `expectedVersion` guards against overwriting someone else's change (409). Roles and
   * task templates must exist in the catalog; the answer lists the roles left unstaffed.
   */
  async save(input: {
    scope: PlanScope;
    ownerId: string;
    boardId: string;
    content: PlanContent;
    actorId: string;
    expectedVersion: number | null;
  }): Promise<PlanView> {
    this.check(input.content);
    const saved = await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`plan:${input.scope}:${input.ownerId}`]);
      const current = await this.current(input.scope, input.ownerId, manager);
      const currentVersion = current?.version ?? null;
      if (input.expectedVersion !== currentVersion) {
        throw rpcError({
          statusCode: 409,
          code: 'PLAN_CHANGED',
          field: 'expectedVersion',
          message: `The plan was changed meanwhile (now version ${currentVersion ?? 'none'}); reload and try again`,
          messageNl: `Het plan is intussen gewijzigd (nu versie ${currentVersion ?? 'geen'}); laad opnieuw en probeer het nog eens`,
        });
      }
      const row = manager.create(PlanVersionEntity, {
        id: randomUUID(),
        scope: input.scope,
        ownerId: input.ownerId,
        boardId: input.boardId,
        version: (currentVersion ?? 0) + 1,
        content: input.content,
        createdBy: input.actorId,
        createdAt: new Date(),
      });
      await manager.insert(PlanVersionEntity, row);
      return row;
    });
    const effective = input.scope === 'school' ? (await this.forSchool(input.ownerId, input.boardId)).plan : null;
    const view = this.toView(saved, effective);
    if (view.unstaffedRoles.length > 0) {
      this.log.warn(
        `plan ${input.scope} ${input.ownerId} v${saved.version}: unstaffed ${view.unstaffedRoles.join(', ')}`,
      );
    }
    return view;
  }

  private toView(row: PlanVersionEntity, effective: EffectivePlan | null): PlanView {
    return {
      scope: row.scope,
      ownerId: row.ownerId,
      boardId: row.boardId,
      version: row.version,
      content: row.content,
      createdAt: row.createdAt.toISOString(),
      createdBy: row.createdBy,
      unstaffedRoles: this.unstaffed(effective ?? effectivePlan(row.content, null)),
    };
  }

  /** What the catalog must know: the roles, and the templates an override names. */
  private check(content: PlanContent): void {
    const roles = new Set(this.catalog.roles.map((r) => r.id));
    const templates = new Set(this.catalog.tasks.map((t) => t.id));
    const types = new Set(this.catalog.calamityTypes.map((t) => t.id));
    const fail = (field: string, message: string, messageNl: string): never => {
      throw rpcError({ statusCode: 400, code: 'VALIDATION_FAILED', field, message, messageNl });
    };
    content.roles.forEach((r, i) => {
      if (!roles.has(r.role)) {
        fail(`content.roles[${i}].role`, `unknown role "${r.role}"`, `onbekende rol "${r.role}"`);
      }
    });
    if (new Set(content.roles.map((r) => r.role)).size !== content.roles.length) {
      fail('content.roles', 'a role is listed twice', 'een rol staat er twee keer in');
    }
    const badDeadline = (deadline: string) => {
      try {
        return durationMs(deadline) <= 0;
      } catch {
        return true;
      }
    };
    content.taskOverrides.forEach((o, i) => {
      if (!templates.has(o.templateId)) {
        fail(
          `content.taskOverrides[${i}].templateId`,
          `unknown task "${o.templateId}"`,
          `onbekende taak "${o.templateId}"`,
        );
      }
      if (o.deadline !== undefined && badDeadline(o.deadline)) {
        fail(
          `content.taskOverrides[${i}].deadline`,
          'not a duration like PT15M or P1D',
          'geen duur zoals PT15M of P1D',
        );
      }
    });
    content.extraTasks.forEach((t, i) => {
      if (!roles.has(t.role)) {
        fail(`content.extraTasks[${i}].role`, `unknown role "${t.role}"`, `onbekende rol "${t.role}"`);
      }
      if (badDeadline(t.deadline)) {
        fail(`content.extraTasks[${i}].deadline`, 'not a duration like PT15M or P1D', 'geen duur zoals PT15M of P1D');
      }
      const badType = t.calamityTypes.find((c) => c !== '*' && !types.has(c));
      if (badType) {
        fail(
          `content.extraTasks[${i}].calamityTypes`,
          `unknown calamity type "${badType}"`,
          `onbekend type calamiteit "${badType}"`,
        );
      }
    });
  }
}
