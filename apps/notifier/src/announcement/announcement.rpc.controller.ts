import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { ANNOUNCEMENT_AUDIENCES, RpcPattern, type AnnouncementAudience, type AnnouncementView } from '#lib/contracts';
import { validateRpc } from '#lib/platform';
import { AnnouncementService } from './announcement.service.js';

class CreateAnnouncementCommand {
  @IsUUID() announcementId!: string;
  @IsUUID() incidentId!: string;
  @IsUUID() schoolId!: string;
  @IsUUID() boardId!: string;
  @IsBoolean() drill!: boolean;
  @IsUUID() authorId!: string;
  @IsIn(ANNOUNCEMENT_AUDIENCES) audience!: AnnouncementAudience;
  @IsOptional() @IsString() @Length(1, 64) role?: string;
  @IsString() @Length(1, 20000) text!: string;
  @IsArray() @ArrayMaxSize(50_000) @IsUUID('all', { each: true }) recipientIds!: string[];
  @IsUUID() correlationId!: string;
  @IsOptional() @IsArray() @ArrayMaxSize(5_000) @IsUUID('all', { each: true }) waitForTaskIds?: string[];
}

class AnnouncementQuery {
  @IsUUID() announcementId!: string;
}

class IncidentQuery {
  @IsUUID() incidentId!: string;
}

@Controller()
export class AnnouncementRpcController {
  constructor(private readonly announcements: AnnouncementService) {}

  @MessagePattern(RpcPattern.CreateAnnouncement)
  create(@Payload() data: unknown): Promise<AnnouncementView & { created: boolean }> {
    return this.announcements.create(validateRpc(CreateAnnouncementCommand, data));
  }

  @MessagePattern(RpcPattern.GetAnnouncement)
  get(@Payload() data: unknown): Promise<AnnouncementView | null> {
    return this.announcements.get(validateRpc(AnnouncementQuery, data).announcementId);
  }

  @MessagePattern(RpcPattern.ListAnnouncements)
  list(@Payload() data: unknown): Promise<AnnouncementView[]> {
    return this.announcements.list(validateRpc(IncidentQuery, data).incidentId);
  }

  @MessagePattern(RpcPattern.EraseAnnouncementTexts)
  erase(@Payload() data: unknown): Promise<{ erased: number }> {
    return this.announcements.eraseTexts(validateRpc(IncidentQuery, data).incidentId);
  }
}
