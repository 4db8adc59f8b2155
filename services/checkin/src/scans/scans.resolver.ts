import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { badInput, CurrentUser, type AuthUser } from '@ticketing/platform';
import { CheckinEventAccess } from '../replica/event-access.service';
import { SCAN_LOG_MAX_PAGE, ScanLogFilter, ScanTicketInput } from './dto/scan-ticket.input';
import { ScanLogPage, ScanOutcome } from './models/scan.model';
import { ScanLogService } from './scan-log.service';
import { ScanService } from './scan.service';

@Resolver()
export class ScansResolver {
  constructor(
    private readonly scans: ScanService,
    private readonly log: ScanLogService,
    private readonly access: CheckinEventAccess,
  ) {}

  @Mutation(() => ScanOutcome, {
    description: "Scan a ticket at a gate (the event's staff and organizer). One answer, first scan wins.",
  })
  scanTicket(@CurrentUser() user: AuthUser, @Args('input') input: ScanTicketInput): Promise<ScanOutcome> {
    return this.scans.scan(user, input);
  }

  @Query(() => ScanLogPage, {
    description: 'Every scan attempt of an event, newest first (its organizer and ADMIN).',
  })
  async scanLog(
    @CurrentUser() user: AuthUser,
    @Args('eventId', { type: () => ID }) eventId: string,
    // Typed as the class alone (not `| undefined`): the validation pipe checks an argument by its declared
    // class, and a union reflects as a plain Object, which it would let through unchecked.
    @Args('filter', { type: () => ScanLogFilter, nullable: true }) filter: ScanLogFilter,
    @Args('first', { type: () => Int, defaultValue: 20 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ): Promise<ScanLogPage> {
    if (!Number.isInteger(first) || first < 1 || first > SCAN_LOG_MAX_PAGE) {
      throw badInput('first', `first must be between 1 and ${SCAN_LOG_MAX_PAGE}`);
    }
    await this.access.requireOrganizer(user, eventId);
    return this.log.page(eventId, filter, first, after);
  }
}
