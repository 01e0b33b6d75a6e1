import { Body, Controller, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RpcPattern } from '#lib/contracts';
import { RpcClient } from '../common/rpc.client.js';

/** Twilio form fields are flat strings; anything else cannot be part of a genuine request. */
function formParams(body: unknown): Record<string, string> {
  const params: Record<string, string> = {};
  if (body && typeof body === 'object') {
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (typeof value === 'string') {
        params[key] = value;
      }
    }
  }
  return params;
}

/**
 * Twilio's webhooks (no bearer token: Twilio signs them). The notifier, which holds the auth token, checks
 * `X-Twilio-Signature` against PUBLIC_BASE_URL + the path and answers 403 to anything forged.
 */
@ApiExcludeController()
@Controller('webhooks/twilio')
export class TwilioWebhookController {
  constructor(private readonly rpc: RpcClient) {}

  @Post('status')
  @HttpCode(200)
  async status(
    @Req() req: Request,
    @Body() body: unknown,
    @Headers('x-twilio-signature') signature: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    await this.forward(RpcPattern.TwilioStatusWebhook, req, body, signature, res);
  }

  @Post('inbound')
  @HttpCode(200)
  async inbound(
    @Req() req: Request,
    @Body() body: unknown,
    @Headers('x-twilio-signature') signature: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    await this.forward(RpcPattern.TwilioInboundWebhook, req, body, signature, res);
  }

  private async forward(
    pattern: typeof RpcPattern.TwilioStatusWebhook | typeof RpcPattern.TwilioInboundWebhook,
    req: Request,
    body: unknown,
    signature: string | undefined,
    res: Response,
  ): Promise<void> {
    const answer = await this.rpc.call(pattern, {
      path: req.originalUrl,
      params: formParams(body),
      signature: (signature ?? '').slice(0, 200),
    });
    res.status(answer.status).type(answer.contentType).send(answer.body);
  }
}
