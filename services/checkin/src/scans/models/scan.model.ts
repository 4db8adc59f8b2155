import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum ScanResult {
  ACCEPTED = 'ACCEPTED',
  ALREADY_CHECKED_IN = 'ALREADY_CHECKED_IN',
  REVOKED = 'REVOKED',
  WRONG_EVENT = 'WRONG_EVENT',
  INVALID = 'INVALID',
  NOT_YET_OPEN = 'NOT_YET_OPEN',
  /** EXIT scan: the ticket was inside and is now out (it may come back in). */
  EXITED = 'EXITED',
  /** EXIT scan at an event that does not allow re-entry (nothing changes; the attempt is logged). */
  REENTRY_NOT_ALLOWED = 'REENTRY_NOT_ALLOWED',
  /** EXIT scan of a ticket that is not inside (never admitted, or already out). */
  NOT_INSIDE = 'NOT_INSIDE',
}
registerEnumType(ScanResult, { name: 'ScanResult' });

export enum ScanDirection {
  ENTRY = 'ENTRY',
  EXIT = 'EXIT',
}
registerEnumType(ScanDirection, { name: 'ScanDirection' });

export enum ScanMethod {
  QR = 'QR',
  ROTATING_CODE = 'ROTATING_CODE',
}
registerEnumType(ScanMethod, { name: 'ScanMethod' });

@ObjectType({ description: 'The answer to one scan: admit or not, and what to check on the ID.' })
export class ScanOutcome {
  @Field(() => ScanResult)
  result!: ScanResult;

  @Field(() => String, {
    nullable: true,
    description: 'Why not admitted (BAD_SIGNATURE, EXPIRED_CODE, OLD_GENERATION, EVENT_CANCELLED, ...).',
  })
  reason!: string | null;

  @Field(() => ID, { nullable: true })
  ticketId!: string | null;

  @Field(() => String, { nullable: true, description: 'For the ID check.' })
  holderName!: string | null;

  @Field(() => String, { nullable: true })
  ticketTypeName!: string | null;

  @Field(() => Int, { nullable: true })
  generation!: number | null;

  @Field(() => ScanMethod, { nullable: true })
  method!: ScanMethod | null;

  @Field(() => Date, {
    nullable: true,
    description: 'ALREADY_CHECKED_IN: when the ticket was admitted (its latest entry, with re-entry).',
  })
  checkedInAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'ALREADY_CHECKED_IN: at which gate.' })
  checkedInGateId!: string | null;

  @Field()
  scannedAt!: Date;

  @Field(() => ScanDirection)
  direction!: ScanDirection;

  @Field({ description: 'ACCEPTED: the ticket came back in after an exit (not its first admission).' })
  reentry!: boolean;
}

@ObjectType({ description: 'One scan attempt in the entry log.' })
export class ScanLogEntry {
  @Field(() => ID)
  id!: string;

  @Field(() => ScanResult)
  result!: ScanResult;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => ID, { nullable: true })
  ticketId!: string | null;

  @Field(() => String, { nullable: true })
  holderName!: string | null;

  @Field(() => String, { nullable: true })
  ticketTypeName!: string | null;

  @Field()
  gateId!: string;

  @Field()
  deviceId!: string;

  @Field(() => ID, { description: 'The staff member who scanned.' })
  scannedBy!: string;

  @Field()
  at!: Date;

  @Field(() => ScanMethod, { nullable: true })
  method!: ScanMethod | null;

  @Field({ description: 'Made offline and uploaded by syncScans.' })
  offline!: boolean;

  @Field(() => ScanDirection)
  direction!: ScanDirection;

  @Field({ description: 'ACCEPTED: back in after an exit.' })
  reentry!: boolean;
}

@ObjectType({ description: 'A page of the entry log, newest first.' })
export class ScanLogPage {
  @Field(() => [ScanLogEntry])
  entries!: ScanLogEntry[];

  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page.' })
  endCursor!: string | null;

  @Field()
  hasNextPage!: boolean;
}
