import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { TOPICS } from '@ticketing/contracts';
import { getLogger, KafkaService, type ConsumerHandle } from '@ticketing/platform';
import { UsersService } from '../users/users.service';
import { EventsService } from './events.service';

export const USERS_CONSUMER_GROUP = 'event.users';
const RETRY_START_MS = 5000;

/**
 * Keeps the local `users` replica (id, email, name) from `user.registered`, so staff can be added by
 * email without calling auth, and binds staff entries that were waiting for that email.
 * Idempotent (the platform skips processed envelope ids; the replica only takes newer versions).
 */
@Injectable()
export class UserRegisteredConsumer implements OnApplicationBootstrap {
  private readonly log = getLogger('users-consumer');
  private handle?: ConsumerHandle;
  /** Resolves once the consumer has joined its group (tests wait on it). */
  ready!: Promise<void>;

  constructor(
    private readonly kafka: KafkaService,
    private readonly users: UsersService,
    private readonly events: EventsService,
  ) {}

  onApplicationBootstrap(): void {
    this.ready = this.start();
  }

  private async start(): Promise<void> {
    for (;;) {
      try {
        this.handle = await this.kafka.consume({
          groupId: USERS_CONSUMER_GROUP,
          topics: [TOPICS.users],
          handler: async (envelope) => {
            if (envelope.type !== 'user.registered') return;
            const data = envelope.data;
            // The replica first, then the pending entries: addStaff writes its entry first, then reads the
            // replica again, so whichever of the two reads comes last sees the other's write and binds.
            await this.users.applyRegistered(data);
            await this.events.bindStaff({ id: data.userId, email: data.email, name: data.name });
          },
        });
        return;
      } catch (error) {
        if ((error as Error).message?.includes('shut down')) return;
        this.log.warn({ err: error }, `users consumer could not start; retrying in ${RETRY_START_MS} ms`);
        await new Promise((resolve) => setTimeout(resolve, RETRY_START_MS).unref());
      }
    }
  }

  get consumer(): ConsumerHandle | undefined {
    return this.handle;
  }
}
