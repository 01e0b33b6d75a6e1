import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import {
  RpcPattern,
  type AgreementsView,
  type AnnouncementView,
  type MessageAction,
  type MessageVersionView,
  type MessageView,
  type PressDeskView,
  type RpcRequest,
} from '#lib/contracts';
import { AccountService, type Caller } from '../account/account.service.js';
import { SendBudget } from '../auth/send-budget.js';
import { CurrentCaller } from '../auth/auth.guard.js';
import { INCIDENT_READ_ROLES, requireRole, TRIGGER_ROLES } from '../common/access.js';
import { ApiError } from '../common/api-error.js';
import { assignmentsBeingTold, IncidentAccess } from '../common/incident-access.js';
import { actorScope, uuidParam } from '../common/request-scope.js';
import { RpcClient } from '../common/rpc.client.js';
import {
  AgreementsDto,
  ApproveMessageRequestDto,
  CreateMessageRequestDto,
  ExportQueryDto,
  FamilyApprovalRequestDto,
  FamilyContactRequestDto,
  MessageDto,
  MessageVersionDto,
  MessageVersionRequestDto,
  PressDeskDto,
  PressAnswerRequestDto,
  PressEntryRequestDto,
  ReleaseMessageRequestDto,
  ReturnMessageRequestDto,
  ReviseMessageRequestDto,
  SaveAgreementsRequestDto,
  SpokespersonRequestDto,
} from './communication.dto.js';
import { messageHtml, messagePrintPage, messageText } from './message-export.js';

const uuid = uuidParam('id');
type Req_ = Request & { correlationId?: string };

/**
 * Crisis communication of an incident: the core message and the messages per audience with their approvals, the
 * family agreements beside them, and the press desk. Activation decides who may do what by the crisis plan (the
 * communication role and the leader write, the leader approves); here the caller's school and app role are checked.
 */
@ApiTags('communication')
@ApiBearerAuth()
@Controller('api')
export class CommunicationController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly incidents: IncidentAccess,
    private readonly accounts: AccountService,
    private readonly budget: SendBudget,
  ) {}

  @Get('incidents/:id/messages')
  @ApiOkResponse({ type: [MessageDto] })
  async list(@CurrentCaller() caller: Caller, @Param('id', uuid) id: string, @Req() req: Req_): Promise<MessageView[]> {
    await this.incidents.load(caller, id);
    return this.rpc.call(RpcPattern.ListMessages, { incidentId: id, ...actorScope(caller, req, id) });
  }

  /** A first draft from the catalog's template for the audience and calamity type, filled with the facts. */
  @Post('incidents/:id/messages')
  @ApiCreatedResponse({ type: MessageDto, description: 'Drafted' })
  @ApiOkResponse({ type: MessageDto, description: 'This messageId was used before: the same message' })
  async create(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: CreateMessageRequestDto,
    @Req() req: Req_,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MessageView> {
    const incident = await this.incidents.load(caller, id, TRIGGER_ROLES);
    const { created, ...view } = await this.rpc.call(RpcPattern.CreateMessage, {
      incidentId: id,
      messageId: body.messageId ?? randomUUID(),
      audience: body.audience,
      language: body.language ?? 'nl',
      schoolName: incident.membership.schoolName,
      ...(body.facts ? { facts: { ...body.facts } } : {}),
      ...actorScope(caller, req, id),
    });
    res.status(created ? 201 : 200);
    return view;
  }

  @Get('messages/:id')
  @ApiOkResponse({ type: MessageDto })
  async get(@CurrentCaller() caller: Caller, @Param('id', uuid) id: string, @Req() req: Req_): Promise<MessageView> {
    return this.readable(caller, id, req);
  }

  @Get('messages/:id/versions')
  @ApiOkResponse({ type: [MessageVersionDto], description: 'Every version, oldest first' })
  async versions(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Req() req: Req_,
  ): Promise<MessageVersionView[]> {
    await this.readable(caller, id, req);
    return this.rpc.call(RpcPattern.ListMessageVersions, { messageId: id, ...actorScope(caller, req, id) });
  }

  /** A new version; any approval of the previous one no longer counts. */
  @Put('messages/:id')
  @ApiOkResponse({ type: MessageDto })
  async revise(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: ReviseMessageRequestDto,
    @Req() req: Req_,
  ): Promise<MessageView> {
    await this.writable(caller, id, req);
    return this.rpc.call(RpcPattern.ReviseMessage, {
      messageId: id,
      ...actorScope(caller, req, id),
      expectedVersion: body.expectedVersion,
      ...(body.title === undefined ? {} : { title: body.title }),
      ...(body.body === undefined ? {} : { body: body.body }),
      ...(body.facts ? { facts: { ...body.facts } } : {}),
      ...(body.includesPhoto === undefined ? {} : { includesPhoto: body.includesPhoto }),
      ...(body.includesAddress === undefined ? {} : { includesAddress: body.includesAddress }),
    });
  }

  @Post('messages/:id/submit')
  @HttpCode(200)
  @ApiOkResponse({ type: MessageDto, description: 'Before the leader' })
  submit(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: MessageVersionRequestDto,
    @Req() req: Req_,
  ): Promise<MessageView> {
    return this.act(caller, id, req, 'submit', { version: body.version });
  }

  @Post('messages/:id/return')
  @HttpCode(200)
  @ApiOkResponse({ type: MessageDto, description: 'Back to draft, with the reason' })
  sendBack(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: ReturnMessageRequestDto,
    @Req() req: Req_,
  ): Promise<MessageView> {
    return this.act(caller, id, req, 'return', { version: body.version, reason: body.reason });
  }

  /** The leader approves; a message the family must agree to waits for that (awaiting_family). */
  @Post('messages/:id/approve')
  @HttpCode(200)
  @ApiOkResponse({ type: MessageDto })
  approve(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: ApproveMessageRequestDto,
    @Req() req: Req_,
  ): Promise<MessageView> {
    return this.act(caller, id, req, 'approve', {
      version: body.version,
      ...(body.checklist ? { checklist: body.checklist } : {}),
    });
  }

  /** The family agreed to this version (recorded by the leader or the family liaison). */
  @Post('messages/:id/family-approval')
  @HttpCode(200)
  @ApiOkResponse({ type: MessageDto })
  familyApproval(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: FamilyApprovalRequestDto,
    @Req() req: Req_,
  ): Promise<MessageView> {
    return this.act(caller, id, req, 'family-approve', {
      version: body.version,
      ...(body.note ? { note: body.note } : {}),
    });
  }

  /**
   * Releases an approved version. Staff messages go out in the app: every member of the school gets a notification
   * that carries only the link. Messages the school sends itself (the parent letter, the press statement, the board
   * notice) are recorded with their channel and time. Without the needed approvals: 409 with the reason.
   */
  @Post('messages/:id/release')
  @HttpCode(200)
  @ApiOkResponse({ type: MessageDto })
  async release(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: ReleaseMessageRequestDto,
    @Req() req: Req_,
  ): Promise<MessageView> {
    const message = await this.writable(caller, id, req);
    if (message.releaseKind === 'app') {
      await this.budget.charge(caller.personId);
    }
    const recipientIds =
      message.releaseKind === 'app'
        ? (await this.accounts.peopleOfSchool(message.schoolId)).filter((p) => p !== caller.personId)
        : [];
    return this.act(caller, id, req, 'release', {
      version: body.version,
      ...(body.channel ? { channel: body.channel } : {}),
      ...(body.sentAt ? { sentAt: body.sentAt } : {}),
      ...(body.note ? { note: body.note } : {}),
      recipientIds,
    });
  }

  /** The approved text for the school's own channel: plain text, an HTML fragment, or a printable page. */
  @Get('messages/:id/export')
  @ApiQuery({ name: 'format', required: false, enum: ['text', 'html', 'print'] })
  @ApiProduces('text/plain', 'text/html')
  @ApiOkResponse({ description: 'The approved version' })
  async export(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Query() query: ExportQueryDto,
    @Req() req: Req_,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const message = await this.readable(caller, id, req);
    if (message.state !== 'approved' && message.state !== 'released') {
      throw new ApiError({
        statusCode: 409,
        code: 'NOT_APPROVED',
        message: 'Only an approved version can be exported',
        messageNl: 'Alleen een goedgekeurde versie kan worden geëxporteerd',
      });
    }
    const school = caller.memberships.find((m) => m.schoolId === message.schoolId)?.schoolName ?? '';
    const format = query.format ?? 'text';
    const slug = `${message.audience}-v${message.version}`;
    if (format === 'text') {
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="${slug}.txt"`);
      return messageText(message);
    }
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    if (format === 'html') {
      res.setHeader('Content-Disposition', `attachment; filename="${slug}.html"`);
      return messageHtml(message);
    }
    return messagePrintPage(message, school);
  }

  @Get('incidents/:id/agreements')
  @ApiOkResponse({ type: AgreementsDto })
  async agreements(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Req() req: Req_,
  ): Promise<AgreementsView> {
    await this.incidents.load(caller, id);
    return this.rpc.call(RpcPattern.GetAgreements, { incidentId: id, ...actorScope(caller, req, id) });
  }

  /** What the family agreed (the leader and the family liaison), after a threat what police and board agreed. */
  @Put('incidents/:id/agreements')
  @ApiOkResponse({ type: AgreementsDto })
  async saveAgreements(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: SaveAgreementsRequestDto,
    @Req() req: Req_,
  ): Promise<AgreementsView> {
    await this.incidents.load(caller, id, TRIGGER_ROLES);
    return this.rpc.call(RpcPattern.SaveAgreements, { incidentId: id, ...actorScope(caller, req, id), ...body });
  }

  @Post('incidents/:id/family-contacts')
  @ApiCreatedResponse({ type: AgreementsDto })
  async familyContact(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: FamilyContactRequestDto,
    @Req() req: Req_,
  ): Promise<AgreementsView> {
    await this.incidents.load(caller, id, TRIGGER_ROLES);
    return this.rpc.call(RpcPattern.LogFamilyContact, {
      incidentId: id,
      ...actorScope(caller, req, id),
      contactId: body.contactId ?? randomUUID(),
      contactAt: body.contactAt,
      note: body.note,
    });
  }

  @Get('incidents/:id/press')
  @ApiOkResponse({ type: PressDeskDto })
  async pressDesk(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Req() req: Req_,
  ): Promise<PressDeskDto> {
    await this.incidents.load(caller, id);
    return this.withNames(
      await this.rpc.call(RpcPattern.GetPressDesk, { incidentId: id, ...actorScope(caller, req, id) }),
    );
  }

  @Put('incidents/:id/press/spokesperson')
  @ApiOkResponse({ type: PressDeskDto })
  async spokesperson(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: SpokespersonRequestDto,
    @Req() req: Req_,
  ): Promise<PressDeskDto> {
    const incident = await this.incidents.load(caller, id, TRIGGER_ROLES);
    if (!(await this.accounts.membersOf([incident.schoolId], [body.personId])).has(body.personId)) {
      throw new ApiError({
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        field: 'personId',
        message: 'personId: not a person of this school',
        messageNl: 'personId: geen persoon van deze school',
      });
    }
    return this.withNames(
      await this.rpc.call(RpcPattern.SetSpokesperson, {
        incidentId: id,
        ...actorScope(caller, req, id),
        personId: body.personId,
      }),
    );
  }

  @Post('incidents/:id/press/entries')
  @ApiCreatedResponse({ type: PressDeskDto })
  async pressEntry(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: PressEntryRequestDto,
    @Req() req: Req_,
  ): Promise<PressDeskDto> {
    await this.incidents.load(caller, id, TRIGGER_ROLES);
    return this.withNames(
      await this.rpc.call(RpcPattern.LogPressEntry, {
        incidentId: id,
        ...actorScope(caller, req, id),
        entryId: body.entryId ?? randomUUID(),
        askedAt: body.askedAt ?? new Date().toISOString(),
        askedBy: body.askedBy,
        question: body.question,
        ...(body.answer ? { answer: body.answer } : {}),
      }),
    );
  }

  /** The answer to a press question logged before, with the time it was given. */
  @Post('incidents/:id/press/entries/:entryId/answer')
  @HttpCode(200)
  @ApiOkResponse({ type: PressDeskDto })
  async answerPress(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Param('entryId', uuidParam('entryId')) entryId: string,
    @Body() body: PressAnswerRequestDto,
    @Req() req: Req_,
  ): Promise<PressDeskDto> {
    await this.incidents.load(caller, id, TRIGGER_ROLES);
    return this.withNames(
      await this.rpc.call(RpcPattern.AnswerPressEntry, {
        incidentId: id,
        ...actorScope(caller, req, id),
        entryId,
        answer: body.answer,
      }),
    );
  }

  /**
   * Sends the ready staff instruction "refer every press question to the spokesperson" to all staff, in the app
   * (the notification carries only the link). Leader or communication role.
   */
  @Post('incidents/:id/press/instruction')
  @ApiCreatedResponse({ description: 'The announcement that went to all staff' })
  async pressInstruction(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Req() req: Req_,
  ): Promise<AnnouncementView> {
    const incident = await this.incidents.load(caller, id, TRIGGER_ROLES);
    const desk = await this.withNames(
      await this.rpc.call(RpcPattern.GetPressDesk, { incidentId: id, ...actorScope(caller, req, id) }),
    );
    const { personIds: leaders } = await this.rpc.call(RpcPattern.ListPlanPeople, {
      schoolId: incident.schoolId,
      boardId: incident.boardId,
      role: 'leader',
    });
    const { personIds: communication } = await this.rpc.call(RpcPattern.ListPlanPeople, {
      schoolId: incident.schoolId,
      boardId: incident.boardId,
      role: 'communication',
    });
    if (![...leaders, ...communication].includes(caller.personId)) {
      throw new ApiError({
        statusCode: 403,
        code: 'FORBIDDEN',
        message: 'The leader or the communication role sends the press instruction',
        messageNl: 'De leider of de communicatierol stuurt de persinstructie',
      });
    }
    await this.budget.charge(caller.personId);
    const recipients = (await this.accounts.peopleOfSchool(incident.schoolId)).filter((p) => p !== caller.personId);
    const { created: _created, ...view } = await this.rpc.call(RpcPattern.CreateAnnouncement, {
      announcementId: randomUUID(),
      incidentId: id,
      schoolId: incident.schoolId,
      boardId: incident.boardId,
      drill: incident.drill,
      authorId: caller.personId,
      audience: 'all-staff',
      text: `${desk.instruction.nl}\n\n${desk.instruction.en}`,
      recipientIds: recipients,
      correlationId: req.correlationId ?? randomUUID(),
      waitForTaskIds: assignmentsBeingTold(incident),
    });
    return view;
  }

  private async withNames(desk: PressDeskView): Promise<PressDeskDto> {
    const name = desk.spokespersonId ? await this.accounts.nameOf(desk.spokespersonId) : null;
    const fill = (text: string) => text.replace('{{spokesperson}}', name ? ` (${name})` : '');
    return {
      ...desk,
      spokespersonName: name,
      instruction: { nl: fill(desk.instruction.nl), en: fill(desk.instruction.en) },
    };
  }

  /** The message, for a member of its school who may read incidents (another school's: 404). */
  private async readable(caller: Caller, id: string, req: Req_): Promise<MessageView> {
    const message = await this.rpc.call(RpcPattern.GetMessage, { messageId: id, ...actorScope(caller, req, id) });
    requireRole(caller, message.schoolId, INCIDENT_READ_ROLES, ['Message', 'Bericht']);
    return message;
  }

  private async writable(caller: Caller, id: string, req: Req_): Promise<MessageView> {
    const message = await this.rpc.call(RpcPattern.GetMessage, { messageId: id, ...actorScope(caller, req, id) });
    requireRole(caller, message.schoolId, TRIGGER_ROLES, ['Message', 'Bericht']);
    return message;
  }

  private async act(
    caller: Caller,
    id: string,
    req: Req_,
    action: MessageAction,
    extra: Omit<
      RpcRequest<typeof RpcPattern.ActOnMessage>,
      'messageId' | 'action' | keyof ReturnType<typeof actorScope>
    >,
  ): Promise<MessageView> {
    if (action !== 'release') {
      await this.writable(caller, id, req);
    }
    return this.rpc.call(RpcPattern.ActOnMessage, { messageId: id, action, ...actorScope(caller, req, id), ...extra });
  }
}
