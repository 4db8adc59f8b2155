import { Args, ID, Query, Resolver, Subscription } from '@nestjs/graphql';
import { EventStaff } from '@ticketing/platform';
import { SalesSummary } from './models/sales-summary.model';
import { SalesService } from './sales.service';

@Resolver(() => SalesSummary)
export class SalesResolver {
  constructor(private readonly sales: SalesService) {}

  @EventStaff({ eventIdArg: 'eventId', organizerOnly: true })
  @Query(() => SalesSummary, { description: "An event's sales per ticket type (its organizer and ADMIN)." })
  salesSummary(@Args('eventId', { type: () => ID }) eventId: string): Promise<SalesSummary> {
    return this.sales.summary(eventId);
  }

  @EventStaff({ eventIdArg: 'eventId', organizerOnly: true })
  @Subscription(() => SalesSummary, {
    description: 'salesSummary now and after every change (organizer and ADMIN).',
  })
  salesUpdated(
    @Args('eventId', { type: () => ID }) eventId: string,
  ): AsyncGenerator<{ salesUpdated: SalesSummary }> {
    return this.sales.updates(eventId);
  }
}
