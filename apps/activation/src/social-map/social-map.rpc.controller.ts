import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import {
  COMMUNICATION_LIMITS,
  MAX_SOCIAL_MAP_TEXT,
  SOCIAL_MAP_PHONE,
  RpcPattern,
  type PartyContactView,
  type RpcResponse,
  type SocialMapEntryView,
  type SocialMapView,
} from '#lib/contracts';
import { runWithContext } from '#lib/observability';
import { validateRpc } from '#lib/platform';
import { SocialMapService } from './social-map.service.js';

class Scoped {
  @IsUUID() actorId!: string;
  @IsArray() @ArrayMaxSize(500) @IsUUID('all', { each: true }) schoolIds!: string[];
  @IsString() @Length(1, 128) correlationId!: string;
}

class GetSocialMapQuery {
  @IsUUID() schoolId!: string;
  @IsUUID() boardId!: string;
  @IsOptional() @IsUUID() incidentId?: string;
}

class EntryInput {
  @IsString() @Length(1, 64) party!: string;
  @IsString() @Length(1, MAX_SOCIAL_MAP_TEXT) name!: string;
  @IsString() @Matches(SOCIAL_MAP_PHONE) phone!: string;
  @IsOptional() @IsString() @Matches(SOCIAL_MAP_PHONE) phoneAlt?: string;
  @IsOptional() @IsEmail() @MaxLength(MAX_SOCIAL_MAP_TEXT) email?: string;
  @IsOptional() @IsString() @MaxLength(MAX_SOCIAL_MAP_TEXT) note?: string;
}

class SaveEntryCommand {
  @IsUUID() entryId!: string;
  @IsIn(['board', 'school', 'incident']) scope!: 'board' | 'school' | 'incident';
  @IsUUID() boardId!: string;
  @IsOptional() @IsUUID() schoolId?: string;
  @IsOptional() @IsUUID() incidentId?: string;
  @ValidateNested() @Type(() => EntryInput) entry!: EntryInput;
  @IsUUID() actorId!: string;
}

class EntryQuery {
  @IsUUID() entryId!: string;
}

class LogContactCommand extends Scoped {
  @IsUUID() contactId!: string;
  @IsOptional() @IsUUID() incidentId?: string;
  @IsOptional() @IsUUID() taskId?: string;
  @IsString() @Length(1, 64) party!: string;
  @IsOptional() @IsUUID() entryId?: string;
  @IsOptional() @IsISO8601({ strict: true }) contactedAt?: string;
  @IsString() @Length(1, COMMUNICATION_LIMITS.note) outcome!: string;
}

class IncidentQuery extends Scoped {
  @IsUUID() incidentId!: string;
}

class TaskQuery extends Scoped {
  @IsUUID() taskId!: string;
}

/** The sociale kaart and the calls logged to its parties, over request/reply. */
@Controller()
export class SocialMapRpcController {
  constructor(private readonly map: SocialMapService) {}

  @MessagePattern(RpcPattern.GetSocialMap)
  get(@Payload() data: unknown): Promise<SocialMapView> {
    return this.map.get(validateRpc(GetSocialMapQuery, data));
  }

  @MessagePattern(RpcPattern.GetSocialMapEntry)
  entry(@Payload() data: unknown): Promise<RpcResponse<typeof RpcPattern.GetSocialMapEntry>> {
    return this.map.getEntry(validateRpc(EntryQuery, data));
  }

  @MessagePattern(RpcPattern.SaveSocialMapEntry)
  save(@Payload() data: unknown): Promise<SocialMapEntryView> {
    return this.map.save(validateRpc(SaveEntryCommand, data));
  }

  @MessagePattern(RpcPattern.DeleteSocialMapEntry)
  delete(@Payload() data: unknown): Promise<{ deleted: boolean }> {
    return this.map.delete(validateRpc(EntryQuery, data));
  }

  @MessagePattern(RpcPattern.LogPartyContact)
  log(@Payload() data: unknown): Promise<PartyContactView & { created: boolean }> {
    const c = validateRpc(LogContactCommand, data);
    return runWithContext({ correlationId: c.correlationId }, () => this.map.logContact(c));
  }

  @MessagePattern(RpcPattern.ListPartyContacts)
  list(@Payload() data: unknown): Promise<PartyContactView[]> {
    return this.map.listContacts(validateRpc(IncidentQuery, data));
  }

  @MessagePattern(RpcPattern.GetTaskParties)
  forTask(@Payload() data: unknown): Promise<RpcResponse<typeof RpcPattern.GetTaskParties>> {
    return this.map.forTask(validateRpc(TaskQuery, data));
  }
}
