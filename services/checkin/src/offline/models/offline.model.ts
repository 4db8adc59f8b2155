import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { ScanOutcome } from '../../scans/models/scan.model';

@ObjectType({ description: 'A public key verifying ticket QR tokens (JWK, Ed25519).' })
export class OfflineTicketKey {
  @Field()
  kid!: string;

  @Field()
  kty!: string;

  @Field()
  crv!: string;

  @Field()
  x!: string;

  @Field()
  alg!: string;
}

@ObjectType({ description: 'A ticket that admits, as an offline scanner needs it.' })
export class OfflineTicket {
  @Field(() => ID)
  ticketId!: string;

  @Field(() => Int, { description: 'Only this generation admits.' })
  generation!: number;

  @Field()
  holderName!: string;

  @Field()
  ticketTypeName!: string;

  @Field({
    description:
      'True while the holder offers this ticket to someone: it does not admit (TRANSFER_PENDING) until the offer ends.',
  })
  transferPending!: boolean;
}

@ObjectType({ description: 'Codes of this ticket up to this generation do not admit.' })
export class OfflineRevocation {
  @Field(() => ID)
  ticketId!: string;

  @Field(() => Int, { description: 'Highest revoked generation (the whole ticket when `all`).' })
  generation!: number;

  @Field({ description: 'True when no generation of the ticket admits (refund, cancellation).' })
  all!: boolean;
}

@ObjectType({ description: 'What a scanner needs to decide without the network.' })
export class OfflineBundle {
  @Field(() => ID)
  eventId!: string;

  @Field({ description: 'Changes whenever anything below changes; refetch when it differs.' })
  version!: string;

  @Field()
  generatedAt!: Date;

  @Field({ description: "Doors open at (earlier scans answer NOT_YET_OPEN): the event's, else the default." })
  doorsOpenAt!: Date;

  @Field(() => Date, {
    nullable: true,
    description:
      'The event ends at (later entries answer REVOKED, reason EVENT_ENDED; leaving is still recorded).',
  })
  endsAt!: Date | null;

  @Field({ description: 'Exit and re-entry scans allowed.' })
  allowReentry!: boolean;

  @Field()
  cancelled!: boolean;

  @Field(() => [OfflineTicketKey])
  keys!: OfflineTicketKey[];

  @Field(() => [OfflineTicket])
  tickets!: OfflineTicket[];

  @Field(() => [OfflineRevocation])
  revocations!: OfflineRevocation[];
}

@ObjectType({ description: 'The answer for one uploaded scan.' })
export class SyncScanResult {
  @Field(() => Int, { description: 'Position in the uploaded list.' })
  index!: number;

  @Field()
  nonce!: string;

  @Field(() => ScanOutcome, {
    nullable: true,
    description: 'Null when the item itself was refused (see error).',
  })
  outcome!: ScanOutcome | null;

  @Field({
    description: 'Another scan of the same ticket had already won: logged and counted, not admitted.',
  })
  conflict!: boolean;

  @Field(() => String, { nullable: true, description: 'BAD_USER_INPUT when the item was refused.' })
  errorCode!: string | null;

  @Field(() => String, { nullable: true, description: 'The refused field (scannedAt, code, ...).' })
  errorField!: string | null;

  @Field(() => String, { nullable: true })
  errorMessage!: string | null;
}

@ObjectType()
export class SyncScansResult {
  @Field(() => [SyncScanResult])
  results!: SyncScanResult[];

  @Field(() => Int)
  accepted!: number;

  @Field(() => Int)
  conflicts!: number;

  @Field(() => Int, { description: 'Items refused as bad input.' })
  rejected!: number;
}
