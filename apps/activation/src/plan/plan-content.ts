import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

class LocalizedDto {
  @IsString() @Length(1, 160) nl!: string;
  @IsString() @Length(1, 160) en!: string;
}

class LongLocalizedDto {
  @IsString() @Length(1, 1200) nl!: string;
  @IsString() @Length(1, 1200) en!: string;
}

/** Who fills a role: the primary first, then the deputies in the order they are called. */
export class RoleAssignmentDto {
  @IsString() @Length(1, 64) role!: string;
  @IsArray() @ArrayMaxSize(20) @ArrayUnique() @IsUUID('all', { each: true }) people!: string[];
}

/** A catalog task switched off, or given another deadline, for this school (or board). */
export class TaskOverrideDto {
  @IsString() @Length(1, 128) templateId!: string;
  @IsOptional() @IsBoolean() disabled?: boolean;
  @IsOptional() @Matches(/^P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?$/) deadline?: string;
}

/** A task the school adds to the catalog's. */
export class ExtraTaskDto {
  @Matches(/^local\.[a-z0-9]+(?:[.-][a-z0-9]+)*$/) id!: string;
  @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) calamityTypes!: string[];
  @IsInt() @Min(1) @Max(5) phase!: number;
  @IsString() @Length(1, 64) role!: string;
  @Matches(/^P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?$/) deadline!: string;
  @IsIn(['critical', 'high', 'normal']) priority!: 'critical' | 'high' | 'normal';
  @IsBoolean() ackRequired!: boolean;
  @ValidateNested() @Type(() => LocalizedDto) title!: LocalizedDto;
  @ValidateNested() @Type(() => LongLocalizedDto) instruction!: LongLocalizedDto;
}

/** The content of one crisis-plan version (of a school, or of a board that its schools inherit). */
export class PlanContentDto {
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => RoleAssignmentDto)
  roles!: RoleAssignmentDto[];
  /** People who cannot be called now (ill, on leave): their role goes to the next in line. */
  @IsArray() @ArrayMaxSize(500) @ArrayUnique() @IsUUID('all', { each: true }) unavailable!: string[];
  @IsArray()
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => TaskOverrideDto)
  taskOverrides!: TaskOverrideDto[];
  @IsArray() @ArrayMaxSize(200) @ValidateNested({ each: true }) @Type(() => ExtraTaskDto) extraTasks!: ExtraTaskDto[];
  /** The yearly review with the team and the participation council (YYYY-MM-DD). */
  @Matches(/^\d{4}-\d{2}-\d{2}$/) reviewDue!: string;
  @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

export type PlanContent = PlanContentDto;
