import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SessionsService } from './sessions.service';

const SWEEP_INTERVAL_MS = 3_600_000;

/** Deletes long-ended sessions once an hour (the supported Mongo subset has no TTL indexes). */
@Injectable()
export class SessionsSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SessionsSweeper.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly sessions: SessionsService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sessions
        .purgeEnded()
        .then((n) => n > 0 && this.logger.log(`deleted ${n} ended session(s)`))
        .catch((err: unknown) => this.logger.warn(`session sweep failed: ${String(err)}`));
    }, SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }
}
