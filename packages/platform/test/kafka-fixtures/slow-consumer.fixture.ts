// Child process for the SIGTERM test: consumes slowly, appends `<offset> <envelope id>` per handled
// message to FIXTURE_LOG, prints READY once its consumer joined, and on SIGTERM closes the Nest
// application (consumers finish the in-flight message and commit) and exits 0.
import 'reflect-metadata';
import { appendFileSync } from 'node:fs';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { z } from 'zod';
import { baseConfigSchema, envInt, envString, loadConfig } from '../../src/config';
import { KafkaModule, KafkaService } from '../../src/kafka';
import { configureLogging } from '../../src/logging';
import { PlatformModule } from '../../src/platform.module';

const config = loadConfig(
  baseConfigSchema('kafka-fixture', 0).extend({
    FIXTURE_TOPIC: envString('event.views'),
    FIXTURE_GROUP: envString('slow'),
    FIXTURE_DELAY_MS: envInt({ default: 150, min: 0, max: 10_000 }),
    FIXTURE_LOG: z.string().min(1),
  }),
);

@Module({
  imports: [
    PlatformModule.forRoot({ serviceName: 'kafka-fixture', config, mongo: true }),
    KafkaModule.forRoot(),
  ],
})
class FixtureModule {}

async function main(): Promise<void> {
  configureLogging({ service: 'kafka-fixture', level: config.LOG_LEVEL });
  const app = await NestFactory.createApplicationContext(FixtureModule, { logger: false });
  await app.init();
  let closing = false;
  process.once('SIGTERM', () => {
    closing = true;
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('close failed', err);
        process.exit(1);
      },
    );
  });
  await app.get(KafkaService).consume({
    groupId: config.FIXTURE_GROUP,
    topics: [config.FIXTURE_TOPIC],
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 500,
    handler: async (envelope, ctx) => {
      await new Promise((resolve) => setTimeout(resolve, config.FIXTURE_DELAY_MS));
      appendFileSync(
        config.FIXTURE_LOG,
        `${ctx.offset} ${envelope.id}${closing ? ' during-shutdown' : ''}\n`,
      );
    },
  });
  process.stdout.write('READY\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
