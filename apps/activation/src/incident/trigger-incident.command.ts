import { IsBoolean, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import type { TriggerIncidentRequest } from '#lib/contracts';

export class TriggerIncidentCommand implements TriggerIncidentRequest {
  @IsString() @Length(1, 64) calamityType!: string;
  @IsUUID() boardId!: string;
  @IsUUID() schoolId!: string;
  @IsString() @MaxLength(2000) summary!: string;
  @IsBoolean() drill!: boolean;
  @IsString() @Length(8, 128) idempotencyKey!: string;
  @IsUUID() actorId!: string;
  @IsString() @Length(1, 128) correlationId!: string;
}
