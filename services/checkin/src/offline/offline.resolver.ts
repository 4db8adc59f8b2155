import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentUser, type AuthUser } from '@ticketing/platform';
import { SyncScansInput } from './dto/sync-scans.input';
import { OfflineBundle, SyncScansResult } from './models/offline.model';
import { OfflineService } from './offline.service';

@Resolver()
export class OfflineResolver {
  constructor(private readonly offline: OfflineService) {}

  @Query(() => OfflineBundle, {
    description: "Everything a scanner needs offline: keys, valid tickets, revocations (the event's staff).",
  })
  offlineBundle(
    @CurrentUser() user: AuthUser,
    @Args('eventId', { type: () => ID }) eventId: string,
  ): Promise<OfflineBundle> {
    return this.offline.bundle(user, eventId);
  }

  @Mutation(() => SyncScansResult, {
    description: 'Upload scans made offline (the event staff); earliest first, conflicts reported per item.',
  })
  syncScans(@CurrentUser() user: AuthUser, @Args('input') input: SyncScansInput): Promise<SyncScansResult> {
    return this.offline.sync(user, input);
  }
}
