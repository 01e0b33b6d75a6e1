import { randomUUID } from 'node:crypto';
import { Controller, Get, Header, Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { runWithContext } from './context.js';
import { logger } from './logger.js';
import { httpMetrics, metricsRegistry } from './metrics.js';

@ApiExcludeController()
@Controller()
export class MetricsController {
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}

const CORRELATION_HEADER = 'x-correlation-id';

/**
 * Every request gets a correlation id (the caller's `X-Correlation-Id` when it sends a sane one), echoed in the
 * response, carried by every log line and by the events the request causes; and a metrics sample. The log
 * line holds the method, route and status, never bodies or query strings.
 */
export function requestContext(req: Request, res: Response, next: NextFunction): void {
  const given = req.header(CORRELATION_HEADER);
  const correlationId = given && /^[\w.-]{8,128}$/.test(given) ? given : randomUUID();
  res.setHeader('X-Correlation-Id', correlationId);
  (req as Request & { correlationId: string }).correlationId = correlationId;
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    httpMetrics.requests.inc({ method: req.method, route, status: String(res.statusCode) });
    httpMetrics.duration.observe({ method: req.method, route }, seconds);
    if (route !== '/metrics' && route !== '/health') {
      runWithContext({ correlationId }, () =>
        logger().info({ method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'http'),
      );
    }
  });
  runWithContext({ correlationId }, next);
}

@Module({ controllers: [MetricsController] })
export class ObservabilityModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(requestContext).forRoutes('*path');
  }
}
