import { ENTITY_ID } from '@ticketing/platform';
import { Field, ID, InputType } from '@nestjs/graphql';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { ScanDirection, ScanResult } from '../models/scan.model';

/**
 * Gate and device names: 1-64 letters, digits, spaces, `_` and `-`, starting with a letter or digit and not
 * ending with a space (they travel in checkin.recorded and are counter keys).
 */
export const NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9 _-]{0,62}[A-Za-z0-9_-])?$/;
/** Nonces: 8-128 URL-safe characters, made fresh by the scanner for each scan. */
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{8,128}$/;
/** A QR token is about 200 characters, a display code about 40: anything far longer is not a code. */
export const MAX_CODE_LENGTH = 1024;

@InputType()
export class ScanTicketInput {
  @Field(() => ID)
  @Matches(ENTITY_ID, { message: 'eventId must be an event id' })
  eventId!: string;

  @Field({
    description: 'The QR token (T1.…) or the scanned display code (D1.<ticketId>.<generation>.<digits>).',
  })
  @IsString()
  @MinLength(1, { message: 'code must not be empty' })
  @MaxLength(MAX_CODE_LENGTH, { message: `code must be at most ${MAX_CODE_LENGTH} characters` })
  code!: string;

  @Field()
  @Matches(NAME_PATTERN, { message: 'gateId must be 1-64 letters, digits, spaces, _ or -' })
  gateId!: string;

  @Field()
  @Matches(NAME_PATTERN, { message: 'deviceId must be 1-64 letters, digits, spaces, _ or -' })
  deviceId!: string;

  @Field({ description: 'Fresh per scan; resending the same nonce returns the same answer.' })
  @Matches(NONCE_PATTERN, { message: 'nonce must be 8-128 characters of A-Z a-z 0-9 _ -' })
  nonce!: string;

  @Field(() => ScanDirection, {
    defaultValue: ScanDirection.ENTRY,
    description:
      'EXIT lets an admitted ticket out (events that allow re-entry); the next ENTRY re-admits it.',
  })
  @IsOptional()
  @IsIn(Object.values(ScanDirection), { message: 'direction must be ENTRY or EXIT' })
  direction?: ScanDirection;
}

@InputType()
export class ScanLogFilter {
  @Field(() => ScanResult, { nullable: true })
  @IsOptional()
  @IsIn(Object.values(ScanResult))
  result?: ScanResult;

  @Field({ nullable: true })
  @IsOptional()
  @Matches(NAME_PATTERN, { message: 'gateId must be 1-64 letters, digits, spaces, _ or -' })
  gateId?: string;
}

export const SCAN_LOG_MAX_PAGE = 100;
