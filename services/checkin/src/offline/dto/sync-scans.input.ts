import { ENTITY_ID } from '@ticketing/platform';
import { Field, ID, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDate,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { MAX_CODE_LENGTH, NAME_PATTERN, NONCE_PATTERN } from '../../scans/dto/scan-ticket.input';
import { ScanDirection } from '../../scans/models/scan.model';

/**
 * Largest upload: a device syncs in batches of at most this many scans (200 QR tokens stay well under the
 * gateway's 100kb body limit).
 */
export const SYNC_MAX_ITEMS = 200;

@InputType()
export class OfflineScanInput {
  @Field()
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

  @Field()
  @Matches(NONCE_PATTERN, { message: 'nonce must be 8-128 characters of A-Z a-z 0-9 _ -' })
  nonce!: string;

  @Field({ description: "When the device scanned it (the device's clock)." })
  @Type(() => Date)
  @IsDate()
  scannedAt!: Date;

  @Field(() => ScanDirection, { defaultValue: ScanDirection.ENTRY })
  @IsOptional()
  @IsIn(Object.values(ScanDirection), { message: 'direction must be ENTRY or EXIT' })
  direction?: ScanDirection;
}

@InputType()
export class SyncScansInput {
  @Field(() => ID)
  @Matches(ENTITY_ID, { message: 'eventId must be an event id' })
  eventId!: string;

  @Field(() => [OfflineScanInput])
  @IsArray()
  @ArrayMinSize(1, { message: 'scans must not be empty' })
  @ArrayMaxSize(SYNC_MAX_ITEMS, { message: `at most ${SYNC_MAX_ITEMS} scans per sync` })
  @ValidateNested({ each: true })
  @Type(() => OfflineScanInput)
  scans!: OfflineScanInput[];
}
