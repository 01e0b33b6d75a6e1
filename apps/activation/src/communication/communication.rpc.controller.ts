import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
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
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  COMMUNICATION_LIMITS,
  MESSAGE_ACTIONS,
  MESSAGE_AUDIENCES,
  MESSAGE_LANGUAGES,
  RELEASE_CHANNELS,
  RpcPattern,
  type AgreementsView,
  type MessageAction,
  type MessageAudience,
  type MessageLanguage,
  type MessageVersionView,
  type MessageView,
  type PressDeskView,
  type ReleaseChannel,
} from '#lib/contracts';
import { runWithContext } from '#lib/observability';
import { validateRpc } from '#lib/platform';
import { AgreementService } from './agreement.service.js';
import { ErasureService } from './erasure.service.js';
import { MessageService } from './message.service.js';
import { PressService } from './press.service.js';

class Scoped {
  @IsUUID() actorId!: string;
  @IsArray() @ArrayMaxSize(500) @IsUUID('all', { each: true }) schoolIds!: string[];
  @IsString() @Length(1, 128) correlationId!: string;
}

class IncidentScoped extends Scoped {
  @IsUUID() incidentId!: string;
}

class MessageScoped extends Scoped {
  @IsUUID() messageId!: string;
}

export class CoreFactsDto {
  @IsOptional() @IsString() @MaxLength(COMMUNICATION_LIMITS.fact) what?: string;
  @IsOptional() @IsString() @MaxLength(COMMUNICATION_LIMITS.fact) where?: string;
  @IsOptional() @IsString() @MaxLength(COMMUNICATION_LIMITS.fact) when?: string;
  @IsOptional() @IsString() @MaxLength(COMMUNICATION_LIMITS.fact) who?: string;
  @IsOptional() @IsString() @MaxLength(COMMUNICATION_LIMITS.fact) actions?: string;
  @IsOptional() @IsString() @MaxLength(COMMUNICATION_LIMITS.fact) contact?: string;
  @IsOptional() @IsString() @MaxLength(COMMUNICATION_LIMITS.fact) help?: string;
}

class CreateMessageCommand extends IncidentScoped {
  @IsUUID() messageId!: string;
  @IsIn(MESSAGE_AUDIENCES) audience!: MessageAudience;
  @IsIn(MESSAGE_LANGUAGES) language!: MessageLanguage;
  @IsString() @Length(1, 200) schoolName!: string;
  @IsOptional() @ValidateNested() @Type(() => CoreFactsDto) facts?: CoreFactsDto;
}

class ReviseMessageCommand extends MessageScoped {
  @IsInt() @Min(1) expectedVersion!: number;
  @IsOptional() @IsString() @Length(1, COMMUNICATION_LIMITS.title) title?: string;
  @IsOptional() @IsString() @Length(1, COMMUNICATION_LIMITS.body) body?: string;
  @IsOptional() @ValidateNested() @Type(() => CoreFactsDto) facts?: CoreFactsDto;
  @IsOptional() @IsBoolean() includesPhoto?: boolean;
  @IsOptional() @IsBoolean() includesAddress?: boolean;
}

class ActOnMessageCommand extends MessageScoped {
  @IsIn(MESSAGE_ACTIONS) action!: MessageAction;
  @IsInt() @Min(1) version!: number;
  @IsOptional() @IsString() @MaxLength(2000) reason?: string;
  @IsOptional() @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) checklist?: string[];
  @IsOptional() @IsString() @MaxLength(2000) note?: string;
  @IsOptional() @IsIn(RELEASE_CHANNELS) channel?: ReleaseChannel;
  @IsOptional() @IsISO8601({ strict: true }) sentAt?: string;
  @IsOptional() @IsArray() @ArrayMaxSize(20000) @IsUUID('all', { each: true }) recipientIds?: string[];
}

const nullableText = () => ValidateIf((_o, v) => v !== null && v !== undefined);

class SaveAgreementsCommand extends IncidentScoped {
  @IsInt() @Min(0) expectedVersion!: number;
  @nullableText() @IsString() @MaxLength(COMMUNICATION_LIMITS.agreement) mayShare?: string | null;
  @nullableText() @IsBoolean() photoConsent?: boolean | null;
  @nullableText() @IsBoolean() addressConsent?: boolean | null;
  @nullableText() @IsString() @MaxLength(COMMUNICATION_LIMITS.agreement) funeral?: string | null;
  @nullableText() @IsString() @MaxLength(COMMUNICATION_LIMITS.agreement) condolence?: string | null;
  @nullableText() @IsString() @MaxLength(COMMUNICATION_LIMITS.agreement) classParticipation?: string | null;
  @nullableText() @IsString() @MaxLength(COMMUNICATION_LIMITS.agreement) policeAgreed?: string | null;
  @nullableText() @IsString() @MaxLength(COMMUNICATION_LIMITS.agreement) boardAgreed?: string | null;
}

class LogFamilyContactCommand extends IncidentScoped {
  @IsUUID() contactId!: string;
  @IsISO8601({ strict: true }) contactAt!: string;
  @IsString() @Length(1, COMMUNICATION_LIMITS.note) note!: string;
}

class SetSpokespersonCommand extends IncidentScoped {
  @IsUUID() personId!: string;
}

class LogPressEntryCommand extends IncidentScoped {
  @IsUUID() entryId!: string;
  @IsISO8601({ strict: true }) askedAt!: string;
  @IsString() @Length(1, 300) askedBy!: string;
  @IsString() @Length(1, COMMUNICATION_LIMITS.note) question!: string;
  @IsOptional() @IsString() @MaxLength(COMMUNICATION_LIMITS.note) answer?: string;
}

class AnswerPressEntryCommand extends IncidentScoped {
  @IsUUID() entryId!: string;
  @IsString() @Length(1, COMMUNICATION_LIMITS.note) answer!: string;
}

/** Crisis communication over request/reply: messages, agreements, the press desk. */
@Controller()
export class CommunicationRpcController {
  constructor(
    private readonly messages: MessageService,
    private readonly agreements: AgreementService,
    private readonly press: PressService,
    private readonly erasure: ErasureService,
  ) {}

  @MessagePattern(RpcPattern.CreateMessage)
  create(@Payload() data: unknown): Promise<MessageView & { created: boolean }> {
    const c = validateRpc(CreateMessageCommand, data);
    return runWithContext({ correlationId: c.correlationId }, () => this.messages.create({ ...c, facts: c.facts }));
  }

  @MessagePattern(RpcPattern.ListMessages)
  list(@Payload() data: unknown): Promise<MessageView[]> {
    return this.messages.list(validateRpc(IncidentScoped, data));
  }

  @MessagePattern(RpcPattern.GetMessage)
  get(@Payload() data: unknown): Promise<MessageView> {
    return this.messages.get(validateRpc(MessageScoped, data));
  }

  @MessagePattern(RpcPattern.ListMessageVersions)
  versions(@Payload() data: unknown): Promise<MessageVersionView[]> {
    return this.messages.versions(validateRpc(MessageScoped, data));
  }

  @MessagePattern(RpcPattern.ReviseMessage)
  revise(@Payload() data: unknown): Promise<MessageView> {
    const c = validateRpc(ReviseMessageCommand, data);
    return runWithContext({ correlationId: c.correlationId }, () => this.messages.revise(c));
  }

  @MessagePattern(RpcPattern.ActOnMessage)
  act(@Payload() data: unknown): Promise<MessageView> {
    const c = validateRpc(ActOnMessageCommand, data);
    return runWithContext({ correlationId: c.correlationId }, () => this.messages.act(c));
  }

  @MessagePattern(RpcPattern.GetAgreements)
  getAgreements(@Payload() data: unknown): Promise<AgreementsView> {
    return this.agreements.get(validateRpc(IncidentScoped, data));
  }

  @MessagePattern(RpcPattern.SaveAgreements)
  saveAgreements(@Payload() data: unknown): Promise<AgreementsView> {
    const c = validateRpc(SaveAgreementsCommand, data);
    return runWithContext({ correlationId: c.correlationId }, () => this.agreements.save(c));
  }

  @MessagePattern(RpcPattern.LogFamilyContact)
  logFamilyContact(@Payload() data: unknown): Promise<AgreementsView> {
    const c = validateRpc(LogFamilyContactCommand, data);
    return runWithContext({ correlationId: c.correlationId }, () => this.agreements.logFamilyContact(c));
  }

  @MessagePattern(RpcPattern.GetPressDesk)
  pressDesk(@Payload() data: unknown): Promise<PressDeskView> {
    return this.press.get(validateRpc(IncidentScoped, data));
  }

  @MessagePattern(RpcPattern.SetSpokesperson)
  setSpokesperson(@Payload() data: unknown): Promise<PressDeskView> {
    const c = validateRpc(SetSpokespersonCommand, data);
    return runWithContext({ correlationId: c.correlationId }, () => this.press.setSpokesperson(c));
  }

  @MessagePattern(RpcPattern.LogPressEntry)
  logPress(@Payload() data: unknown): Promise<PressDeskView> {
    const c = validateRpc(LogPressEntryCommand, data);
    return runWithContext({ correlationId: c.correlationId }, () => this.press.log(c));
  }

  @MessagePattern(RpcPattern.AnswerPressEntry)
  answerPress(@Payload() data: unknown): Promise<PressDeskView> {
    const c = validateRpc(AnswerPressEntryCommand, data);
    return runWithContext({ correlationId: c.correlationId }, () => this.press.answer(c));
  }

  @MessagePattern(RpcPattern.EraseActivationTexts)
  erase(@Payload() data: unknown): Promise<{ erased: number }> {
    return this.erasure.erase(validateRpc(EraseQuery, data).incidentId);
  }
}

class EraseQuery {
  @IsUUID() incidentId!: string;
}
