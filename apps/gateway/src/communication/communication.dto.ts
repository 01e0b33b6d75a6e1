import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  COMMUNICATION_LIMITS,
  MESSAGE_AUDIENCES,
  MESSAGE_LANGUAGES,
  MESSAGE_STATES,
  RELEASE_CHANNELS,
  type MessageAudience,
  type MessageLanguage,
  type ReleaseChannel,
} from '#lib/contracts';
import { EXPORT_FORMATS, type ExportFormat } from './message-export.js';

const notBlank = () => Matches(/\S/, { message: 'must not be blank' });

export class CoreFactsDto {
  @ApiPropertyOptional({ example: 'Een leerling van groep 7 is gisteravond overleden na een verkeersongeluk.' })
  @IsOptional()
  @IsString()
  @MaxLength(COMMUNICATION_LIMITS.fact)
  what?: string;

  @ApiPropertyOptional({ example: 'op de Dorpsstraat' })
  @IsOptional()
  @IsString()
  @MaxLength(COMMUNICATION_LIMITS.fact)
  where?: string;

  @ApiPropertyOptional({ example: 'dinsdagavond 27 november' })
  @IsOptional()
  @IsString()
  @MaxLength(COMMUNICATION_LIMITS.fact)
  when?: string;

  @ApiPropertyOptional({ description: 'Only as far as agreed with the family' })
  @IsOptional()
  @IsString()
  @MaxLength(COMMUNICATION_LIMITS.fact)
  who?: string;

  @ApiPropertyOptional({ description: 'What the school is doing to limit the damage' })
  @IsOptional()
  @IsString()
  @MaxLength(COMMUNICATION_LIMITS.fact)
  actions?: string;

  @ApiPropertyOptional({ description: 'Who to contact' })
  @IsOptional()
  @IsString()
  @MaxLength(COMMUNICATION_LIMITS.fact)
  contact?: string;

  @ApiPropertyOptional({ description: 'Where pupils, parents and staff can find help' })
  @IsOptional()
  @IsString()
  @MaxLength(COMMUNICATION_LIMITS.fact)
  help?: string;
}

export class CreateMessageRequestDto {
  @ApiProperty({ enum: MESSAGE_AUDIENCES, description: 'core first; the others start from the approved core message' })
  @IsIn(MESSAGE_AUDIENCES)
  audience!: MessageAudience;

  @ApiPropertyOptional({ enum: MESSAGE_LANGUAGES, default: 'nl' })
  @IsOptional()
  @IsIn(MESSAGE_LANGUAGES)
  language?: MessageLanguage;

  @ApiPropertyOptional({ type: CoreFactsDto, description: 'The facts of the core message (core only)' })
  @IsOptional()
  @ValidateNested()
  @Type(() => CoreFactsDto)
  facts?: CoreFactsDto;

  @ApiPropertyOptional({ format: 'uuid', description: 'Chosen by the phone: the same id again is the same message' })
  @IsOptional()
  @IsUUID()
  messageId?: string;
}

export class ReviseMessageRequestDto {
  @ApiProperty({ description: 'The version the writer started from; another version meanwhile answers 409' })
  @IsInt()
  @Min(1)
  expectedVersion!: number;

  @ApiPropertyOptional({ maxLength: COMMUNICATION_LIMITS.title })
  @IsOptional()
  @IsString()
  @Length(1, COMMUNICATION_LIMITS.title)
  @notBlank()
  title?: string;

  @ApiPropertyOptional({ maxLength: COMMUNICATION_LIMITS.body })
  @IsOptional()
  @IsString()
  @Length(1, COMMUNICATION_LIMITS.body)
  @notBlank()
  body?: string;

  @ApiPropertyOptional({
    type: CoreFactsDto,
    description: 'Core message only; without a body the template is filled again',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => CoreFactsDto)
  facts?: CoreFactsDto;

  @ApiPropertyOptional({ description: 'The message shows a photo (the family must consent)' })
  @IsOptional()
  @IsBoolean()
  includesPhoto?: boolean;

  @ApiPropertyOptional({ description: 'The message gives an address (the family must consent)' })
  @IsOptional()
  @IsBoolean()
  includesAddress?: boolean;
}

export class MessageVersionRequestDto {
  @ApiProperty({ description: 'The version acted on (as shown): a newer one meanwhile answers 409' })
  @IsInt()
  @Min(1)
  version!: number;
}

export class ReturnMessageRequestDto extends MessageVersionRequestDto {
  @ApiProperty({ maxLength: 2000 })
  @IsString()
  @Length(1, 2000)
  @notBlank()
  reason!: string;
}

export class ApproveMessageRequestDto extends MessageVersionRequestDto {
  @ApiPropertyOptional({
    type: [String],
    description: 'The ids of the type’s checklist the leader confirms (after a suicide: all of them)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  checklist?: string[];
}

export class FamilyApprovalRequestDto extends MessageVersionRequestDto {
  @ApiPropertyOptional({ maxLength: 2000, example: 'Telefonisch akkoord van moeder, 15:10' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class ReleaseMessageRequestDto extends MessageVersionRequestDto {
  @ApiPropertyOptional({
    enum: RELEASE_CHANNELS,
    description: 'Required for messages the school sends itself (parent letter, press, board): where it went out',
  })
  @IsOptional()
  @IsIn(RELEASE_CHANNELS)
  channel?: ReleaseChannel;

  @ApiPropertyOptional({ format: 'date-time', description: 'When it went out (default now; not in the future)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  sentAt?: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class ExportQueryDto {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'text' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  format?: ExportFormat;
}

const nullable = () => ValidateIf((_o, v) => v !== null && v !== undefined);

export class SaveAgreementsRequestDto {
  @ApiProperty({ description: 'The version shown (0 before anything was recorded)' })
  @IsInt()
  @Min(0)
  expectedVersion!: number;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'What may be shared' })
  @nullable()
  @IsString()
  @MaxLength(COMMUNICATION_LIMITS.agreement)
  mayShare?: string | null;

  @ApiPropertyOptional({ nullable: true, type: Boolean })
  @nullable()
  @IsBoolean()
  photoConsent?: boolean | null;

  @ApiPropertyOptional({ nullable: true, type: Boolean })
  @nullable()
  @IsBoolean()
  addressConsent?: boolean | null;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'The funeral arrangements' })
  @nullable()
  @IsString()
  @MaxLength(COMMUNICATION_LIMITS.agreement)
  funeral?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  @nullable()
  @IsString()
  @MaxLength(COMMUNICATION_LIMITS.agreement)
  condolence?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'Wishes about the class taking part' })
  @nullable()
  @IsString()
  @MaxLength(COMMUNICATION_LIMITS.agreement)
  classParticipation?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'After a threat: agreed with the police' })
  @nullable()
  @IsString()
  @MaxLength(COMMUNICATION_LIMITS.agreement)
  policeAgreed?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'After a threat: agreed with the board' })
  @nullable()
  @IsString()
  @MaxLength(COMMUNICATION_LIMITS.agreement)
  boardAgreed?: string | null;
}

export class FamilyContactRequestDto {
  @ApiProperty({ format: 'date-time' })
  @IsISO8601({ strict: true })
  contactAt!: string;

  @ApiProperty({ maxLength: COMMUNICATION_LIMITS.note })
  @IsString()
  @Length(1, COMMUNICATION_LIMITS.note)
  @notBlank()
  note!: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  contactId?: string;
}

export class SpokespersonRequestDto {
  @ApiProperty({ format: 'uuid', description: 'A person of the school' })
  @IsUUID()
  personId!: string;
}

export class PressEntryRequestDto {
  @ApiProperty({ maxLength: 300, example: 'Omroep West, J. Jansen' })
  @IsString()
  @Length(1, 300)
  @notBlank()
  askedBy!: string;

  @ApiProperty({ maxLength: COMMUNICATION_LIMITS.note })
  @IsString()
  @Length(1, COMMUNICATION_LIMITS.note)
  @notBlank()
  question!: string;

  @ApiPropertyOptional({ maxLength: COMMUNICATION_LIMITS.note })
  @IsOptional()
  @IsString()
  @MaxLength(COMMUNICATION_LIMITS.note)
  answer?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Default now' })
  @IsOptional()
  @IsISO8601({ strict: true })
  askedAt?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  entryId?: string;
}

export class PressAnswerRequestDto {
  @ApiProperty({ maxLength: COMMUNICATION_LIMITS.note })
  @IsString()
  @Length(1, COMMUNICATION_LIMITS.note)
  @notBlank()
  answer!: string;
}

class LocalizedDto {
  @ApiProperty() nl!: string;
  @ApiProperty() en!: string;
}

export class AgreementsDto {
  @ApiProperty() incidentId!: string;
  @ApiProperty() version!: number;
  @ApiProperty({ nullable: true, type: String }) mayShare!: string | null;
  @ApiProperty({ nullable: true, type: Boolean }) photoConsent!: boolean | null;
  @ApiProperty({ nullable: true, type: Boolean }) addressConsent!: boolean | null;
  @ApiProperty({ nullable: true, type: String }) funeral!: string | null;
  @ApiProperty({ nullable: true, type: String }) condolence!: string | null;
  @ApiProperty({ nullable: true, type: String }) classParticipation!: string | null;
  @ApiProperty({ nullable: true, type: String }) policeAgreed!: string | null;
  @ApiProperty({ nullable: true, type: String }) boardAgreed!: string | null;
  @ApiProperty({ nullable: true, type: String }) updatedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) updatedBy!: string | null;
  @ApiProperty({ type: 'array', items: { type: 'object' } }) contacts!: object[];
}

export class MessageDto {
  @ApiProperty() id!: string;
  @ApiProperty() incidentId!: string;
  @ApiProperty() schoolId!: string;
  @ApiProperty({ enum: MESSAGE_AUDIENCES }) audience!: string;
  @ApiProperty({ type: LocalizedDto }) audienceName!: LocalizedDto;
  @ApiProperty({ enum: ['app', 'export', 'none'] }) releaseKind!: string;
  @ApiProperty({ enum: MESSAGE_LANGUAGES }) language!: string;
  @ApiProperty({ enum: MESSAGE_STATES }) state!: string;
  @ApiProperty({ type: LocalizedDto }) stateLabel!: LocalizedDto;
  @ApiProperty() version!: number;
  @ApiProperty() title!: string;
  @ApiProperty() body!: string;
  @ApiProperty({ type: CoreFactsDto, nullable: true }) facts!: CoreFactsDto | null;
  @ApiProperty({ type: [String], description: 'Places still to fill: a version with any cannot be approved' })
  unfilled!: string[];
  @ApiProperty() includesPhoto!: boolean;
  @ApiProperty() includesAddress!: boolean;
  @ApiProperty({ nullable: true, type: Number }) basedOnCoreVersion!: number | null;
  @ApiProperty({ nullable: true, type: Number }) coreVersionNow!: number | null;
  @ApiProperty({ description: '{required, reasons, approvedVersion, approvedBy, approvedAt, note}' })
  familyApproval!: object;
  @ApiProperty({ nullable: true, description: '{version, by, at, checklist}' }) approval!: object | null;
  @ApiProperty({ nullable: true, description: '{version, at, by, via, channel, note, recipients}' })
  release!: object | null;
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'Why the next step is not possible yet' })
  blockedBy!: object[];
  @ApiProperty({ description: '{checklist, clearanceRequired, guidance}' }) rules!: object;
  @ApiProperty({ type: AgreementsDto, description: 'Shown beside every draft and approval' })
  agreements!: AgreementsDto;
  @ApiProperty() createdAt!: string;
  @ApiProperty() createdBy!: string;
  @ApiProperty() updatedAt!: string;
}

export class MessageVersionDto {
  @ApiProperty() version!: number;
  @ApiProperty() title!: string;
  @ApiProperty() body!: string;
  @ApiProperty({ type: CoreFactsDto, nullable: true }) facts!: CoreFactsDto | null;
  @ApiProperty() authorId!: string;
  @ApiProperty() createdAt!: string;
}

export class PressDeskDto {
  @ApiProperty() incidentId!: string;
  @ApiProperty({ nullable: true, type: String }) spokespersonId!: string | null;
  @ApiProperty({ nullable: true, type: String }) spokespersonName!: string | null;
  @ApiProperty({ nullable: true, type: String }) spokespersonSetBy!: string | null;
  @ApiProperty({ type: LocalizedDto, description: 'The staff instruction, with the spokesperson named' })
  instruction!: LocalizedDto;
  @ApiProperty({ type: 'array', items: { type: 'object' } }) entries!: object[];
}
