import type { INestApplication } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ALL_QUEUES } from './delivery/delivery.queues.js';

/** Where the notifier serves the queue board on its internal port; the gateway lets admins through. */
export const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * The queue board (bull-board) at {@link QUEUE_BOARD_PATH}, loaded when it is first opened: bull-board and its
 * UI cost the notifier about 16 MiB of resident memory from the start, for a page an operator opens now and
 * then. Mount it before the app initialises (`app.use(QUEUE_BOARD_PATH, queueBoard(app))`).
 */
export function queueBoard(app: INestApplication): RequestHandler {
  let router: Promise<RequestHandler> | undefined;
  const load = async (): Promise<RequestHandler> => {
    const [{ createBullBoard }, { BullMQAdapter }, { ExpressAdapter }] = await Promise.all([
      import('@bull-board/api'),
      import('@bull-board/api/bullMQAdapter'),
      import('@bull-board/express'),
    ]);
    const server = new ExpressAdapter();
    server.setBasePath(QUEUE_BOARD_PATH);
    createBullBoard({
      queues: ALL_QUEUES.map((name) => new BullMQAdapter(app.get<Queue>(getQueueToken(name)))),
      serverAdapter: server,
      options: { uiConfig: { boardTitle: 'Crisisklaar queues' } },
    });
    return server.getRouter() as RequestHandler;
  };
  return (req: Request, res: Response, next: NextFunction) => {
    router ??= load();
    router.then(
      (handle) => handle(req, res, next),
      (error: unknown) => {
        router = undefined; // try again on the next request
        next(error);
      },
    );
  };
}
