import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { StartupError } from '#lib/platform';
import { startNatsServer, type PrivateNatsServer } from '../../../../test/support/nats-server.js';
import { jetStreamDefaults } from './jetstream.options.js';
import { JetStreamServer } from './jetstream.server.js';

const listen = (server: JetStreamServer) =>
  new Promise<unknown>((resolve) => {
    server.listen((error) => resolve(error));
  });

/** At boot the consumer checks what the streams promise; production refuses a stream on one server. */
describe('stream durability at boot (real nats-server)', () => {
  let nats: PrivateNatsServer;

  beforeAll(async () => {
    nats = await startNatsServer();
  }, 30_000);

  afterAll(async () => {
    await nats?.stop();
  });

  it('starts in development with one replica, and refuses the same stream in production, naming why', async () => {
    const development = new JetStreamServer(jetStreamDefaults('durability-dev', [nats.url], 1));
    expect(await listen(development)).toBeUndefined();
    await development.close();

    const production = new JetStreamServer(jetStreamDefaults('durability-prod', [nats.url], 1, { production: true }));
    const error = await listen(production);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as Error).message).toContain('stream CRISIS replicas: 1, want ≥ 3');
    await production.close();
  });
});
