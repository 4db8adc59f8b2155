import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentUser, type AuthUser } from '@ticketing/platform';
import { OfferTransferArgs } from './dto/offer-transfer.args';
import { TicketTransfer } from './models/transfer.model';
import type { TransferDoc } from './schemas/transfer.schema';
import { toTransfer } from './transfer.mapper';
import { TransfersService } from './transfers.service';

@Resolver(() => TicketTransfer)
export class TransfersResolver {
  constructor(private readonly transfers: TransfersService) {}

  @Mutation(() => TicketTransfer, {
    description: 'Offers a ticket you hold to whoever signs in with toEmail.',
  })
  async offerTransfer(
    @CurrentUser() user: AuthUser,
    @Args() args: OfferTransferArgs,
  ): Promise<TicketTransfer> {
    return toTransfer(await this.transfers.offer(user, args.ticketId, args.toEmail));
  }

  @Mutation(() => TicketTransfer, {
    description: 'Accepts a transfer offered to your email: the ticket is re-keyed to you.',
  })
  async acceptTransfer(
    @CurrentUser() user: AuthUser,
    @Args('transferId', { type: () => ID }) transferId: string,
  ): Promise<TicketTransfer> {
    return this.answer(await this.transfers.accept(user, transferId));
  }

  @Mutation(() => TicketTransfer)
  async declineTransfer(
    @CurrentUser() user: AuthUser,
    @Args('transferId', { type: () => ID }) transferId: string,
  ): Promise<TicketTransfer> {
    return this.answer(await this.transfers.decline(user, transferId));
  }

  @Mutation(() => TicketTransfer)
  async cancelTransfer(
    @CurrentUser() user: AuthUser,
    @Args('transferId', { type: () => ID }) transferId: string,
  ): Promise<TicketTransfer> {
    return this.answer(await this.transfers.cancel(user, transferId));
  }

  /** An offer as the API shows it, with what was offered (read from its ticket for an offer older than that). */
  private async answer(transfer: TransferDoc): Promise<TicketTransfer> {
    const [described] = await this.transfers.describe([transfer]);
    return toTransfer(described!);
  }

  @Query(() => [TicketTransfer], { description: 'Transfers you offered or that were offered to your email.' })
  async myTransfers(@CurrentUser() user: AuthUser): Promise<TicketTransfer[]> {
    return (await this.transfers.describe(await this.transfers.list(user))).map(toTransfer);
  }
}
