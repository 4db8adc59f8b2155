import {
  Args,
  Context,
  ID,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
  ResolveReference,
} from '@nestjs/graphql';
import {
  CurrentUser,
  Public,
  userFromContext,
  type AuthUser,
  type GraphqlRequestContext,
} from '@ticketing/platform';
import { Ticket } from '../tickets/models/ticket.model';
import { toTicket } from '../tickets/ticket.mapper';
import { TicketsService } from '../tickets/tickets.service';
import { CheckoutService } from './checkout.service';
import { CheckoutInput } from './dto/checkout.input';
import { Order } from './models/order.model';
import { toOrder } from './order.mapper';
import { canReadOrder, OrdersService } from './orders.service';

@Resolver(() => Order)
export class OrdersResolver {
  constructor(
    private readonly checkoutService: CheckoutService,
    private readonly orders: OrdersService,
    private readonly ticketsService: TicketsService,
  ) {}

  @Mutation(() => Order, {
    description: 'Pays for a reservation. Retries with the same idempotencyKey return the same answer.',
  })
  async checkout(@CurrentUser() user: AuthUser, @Args('input') input: CheckoutInput): Promise<Order> {
    return toOrder(await this.checkoutService.checkout(user, input));
  }

  @Query(() => Order, { description: "One of the signed-in buyer's orders." })
  async order(@CurrentUser() user: AuthUser, @Args('id', { type: () => ID }) id: string): Promise<Order> {
    return toOrder(await this.orders.findReadable(user, id));
  }

  @Query(() => [Order], { description: "The signed-in buyer's orders, newest first." })
  async myOrders(@CurrentUser() user: AuthUser): Promise<Order[]> {
    return (await this.orders.listForBuyer(user)).map(toOrder);
  }

  @Public()
  @ResolveReference()
  async resolveReference(
    @Parent() reference: { id: string },
    @Context() context: GraphqlRequestContext,
  ): Promise<Order | null> {
    const user = await userFromContext(context);
    const order = await this.orders.findById(reference.id);
    return order && canReadOrder(user, order) ? toOrder(order) : null;
  }

  @ResolveField(() => [Ticket], {
    description:
      "The tickets of this order the viewer may still see (a transferred one is its new holder's).",
  })
  async tickets(@Parent() order: Order, @CurrentUser() user: AuthUser): Promise<Ticket[]> {
    if (!user || (user.role !== 'ADMIN' && user.id !== order.buyerId)) return [];
    const docs = await this.ticketsService.listOfOrder(order.id);
    return docs.filter((t) => user.role === 'ADMIN' || t.holderId === user.id).map(toTicket);
  }
}
