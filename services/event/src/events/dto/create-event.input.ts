import { Field, InputType, Int } from '@nestjs/graphql';
import { MultilineText } from '@ticketing/platform';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsDate,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { EVENT_CATEGORIES, type EventCategory } from '../domain/event.types';
import { EventCategoryEnum } from '../models/enums';
import { VenueInput } from './venue.input';
import { NotBeforeEarliestDate } from './earliest-date';

@InputType()
export class TransferPolicyInput {
  @Field()
  @IsBoolean()
  allowed!: boolean;

  @Field(() => Date, { nullable: true, description: 'Last moment a ticket may be transferred.' })
  @IsOptional()
  @IsDate()
  @NotBeforeEarliestDate()
  deadline?: Date | null;
}

@InputType()
export class CreateEventInput {
  @Field()
  @IsString()
  @Length(3, 120)
  title!: string;

  @Field({ nullable: true, description: 'Multi-line: may contain line breaks and tabs.' })
  @MultilineText()
  @IsOptional()
  @IsString()
  @Length(0, 5000)
  description?: string;

  @Field(() => EventCategoryEnum)
  @IsIn(EVENT_CATEGORIES)
  category!: EventCategory;

  @Field(() => VenueInput)
  @ValidateNested()
  @Type(() => VenueInput)
  venue!: VenueInput;

  @Field(() => Date)
  @IsDate()
  @NotBeforeEarliestDate()
  startsAt!: Date;

  @Field(() => Date)
  @IsDate()
  @NotBeforeEarliestDate()
  endsAt!: Date;

  @Field({ description: 'IANA time zone, e.g. Europe/Paris.' })
  @IsString()
  @Length(1, 64)
  timeZone!: string;

  @Field(() => Date, { nullable: true })
  @IsOptional()
  @IsDate()
  @NotBeforeEarliestDate()
  salesStartAt?: Date | null;

  @Field(() => Date, { nullable: true })
  @IsOptional()
  @IsDate()
  @NotBeforeEarliestDate()
  salesEndAt?: Date | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'Most tickets of this event one buyer may hold, across all its ticket types (each type also has its ' +
      'own perBuyerMax). Null: only the per-type limits apply.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  perBuyerMax?: number | null;

  @Field(() => Date, {
    nullable: true,
    description:
      'When the gates open (on or before startsAt). Null: the check-in service default (2 hours before the start).',
  })
  @IsOptional()
  @IsDate()
  @NotBeforeEarliestDate()
  doorsOpenAt?: Date | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Whether ticket holders may leave and come back in (exit/re-entry scans). Default false.',
  })
  @IsOptional()
  @IsBoolean()
  allowReentry?: boolean | null;

  @Field(() => TransferPolicyInput, {
    nullable: true,
    description: 'Defaults to transfers allowed, no deadline.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => TransferPolicyInput)
  transferPolicy?: TransferPolicyInput | null;
}
