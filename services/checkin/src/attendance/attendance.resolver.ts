import { Args, ID, Query, Resolver, Subscription } from '@nestjs/graphql';
import { CurrentUser, type AuthUser } from '@ticketing/platform';
import { CheckinEventAccess } from '../replica/event-access.service';
import { AttendanceService } from './attendance.service';
import { Attendance } from './models/attendance.model';

@Resolver(() => Attendance)
export class AttendanceResolver {
  constructor(
    private readonly counters: AttendanceService,
    private readonly access: CheckinEventAccess,
  ) {}

  @Query(() => Attendance, { description: "An event's attendance counters (its organizer and ADMIN)." })
  async attendance(
    @CurrentUser() user: AuthUser,
    @Args('eventId', { type: () => ID }) eventId: string,
  ): Promise<Attendance> {
    await this.access.requireOrganizer(user, eventId);
    return this.counters.current(eventId);
  }

  @Subscription(() => Attendance, {
    description: 'attendance now and after every burst of scans, within a second (organizer and ADMIN).',
  })
  async attendanceUpdated(
    @CurrentUser() user: AuthUser,
    @Args('eventId', { type: () => ID }) eventId: string,
  ): Promise<AsyncGenerator<{ attendanceUpdated: Attendance }>> {
    await this.access.requireOrganizer(user, eventId);
    return this.counters.updates(eventId);
  }
}
