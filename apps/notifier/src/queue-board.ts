import type { DynamicModule } from '@nestjs/common';
import { ALL_QUEUES } from './delivery/delivery.queues.js';

/**
 * The queue board (bull-board) at /admin/queues on the notifier's internal port; the gateway lets admins
 * through. Loaded on demand: @bull-board/nestjs is CommonJS that requires the ESM-only NestJS, which Node
 * allows (require(esm)) but jest's module runtime does not, so in-process tests run without it.
 */
export async function queueBoardModules(): Promise<DynamicModule[]> {
  const [{ BullBoardModule }, { ExpressAdapter }, { BullMQAdapter }] = await Promise.all([
    import('@bull-board/nestjs'),
    import('@bull-board/express'),
    import('@bull-board/api/bullMQAdapter'),
  ]);
  return [
    BullBoardModule.forRoot({
      route: '/admin/queues',
      adapter: ExpressAdapter,
      boardOptions: { uiConfig: { boardTitle: 'Crisisklaar queues' } },
    }),
    BullBoardModule.forFeature(...ALL_QUEUES.map((name) => ({ name, adapter: BullMQAdapter }))),
  ];
}
