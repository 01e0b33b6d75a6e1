import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One line of a school's crisis plan: who fills a role; rank 0 is the primary, then the deputies in order. */
@Entity({ name: 'plan_slot' })
export class PlanSlotEntity {
  @PrimaryColumn({ name: 'school_id', type: 'uuid' }) schoolId!: string;
  @PrimaryColumn('text') role!: string;
  @PrimaryColumn('smallint') rank!: number;
  @Column({ name: 'person_id', type: 'uuid' }) personId!: string;
}
