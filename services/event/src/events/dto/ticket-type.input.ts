import { Field, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDate,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  PRICING_TYPES,
  TICKET_KINDS,
  TIER_BASES,
  type PricingType,
  type TicketKind,
  type TierBasis,
} from '../domain/event.types';
import { PricingTypeEnum, TicketKindEnum, TierBasisEnum } from '../models/enums';
import { MAX_TIERS } from '../domain/event-rules';
import { NotBeforeEarliestDate } from './earliest-date';

@InputType()
export class PriceTierInput {
  @Field(() => Int)
  @IsInt()
  @Min(0)
  priceMinor!: number;

  @Field(() => Date, { nullable: true, description: 'DATE tiers: this price applies until then.' })
  @IsOptional()
  @IsDate()
  @NotBeforeEarliestDate()
  until?: Date | null;

  @Field(() => Int, {
    nullable: true,
    description: 'QUANTITY tiers: this price applies to the first N sold.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  upToQuantity?: number | null;
}

@InputType()
export class PricingPolicyInput {
  @Field(() => PricingTypeEnum)
  @IsIn(PRICING_TYPES)
  type!: PricingType;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  floorMinor?: number | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  ceilingMinor?: number | null;

  @Field(() => Int, { nullable: true, description: 'Largest change per price update, in percent (1-100).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  maxStepPct?: number | null;

  @Field(() => TierBasisEnum, { nullable: true })
  @IsOptional()
  @IsIn(TIER_BASES)
  tierBasis?: TierBasis | null;

  @Field(() => [PriceTierInput], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_TIERS, { message: `At most ${MAX_TIERS} tiers before the base price` })
  @ValidateNested({ each: true })
  @Type(() => PriceTierInput)
  tiers?: PriceTierInput[] | null;
}

@InputType()
export class TicketTypeInput {
  @Field()
  @IsString()
  @Length(1, 80)
  name!: string;

  @Field(() => Int, { description: 'Base price in integer minor units (cents for EUR).' })
  @IsInt()
  @Min(0)
  priceMinor!: number;

  @Field({ description: 'ISO 4217 code from the accepted list.' })
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'The currency is a three-letter ISO code such as EUR' })
  currency!: string;

  @Field(() => TicketKindEnum)
  @IsIn(TICKET_KINDS)
  kind!: TicketKind;

  @Field(() => Int, { nullable: true, description: 'GENERAL_ADMISSION: tickets on sale.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  quantity?: number | null;

  @Field(() => [String], { nullable: true, description: 'RESERVED: the seat ids this ticket type sells.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100_000)
  @IsString({ each: true })
  seatIds?: string[] | null;

  @Field(() => Int, { defaultValue: 10 })
  @IsInt()
  @Min(1)
  @Max(50)
  perOrderMax!: number;

  @Field(() => Int, { defaultValue: 10 })
  @IsInt()
  @Min(1)
  perBuyerMax!: number;

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

  @Field(() => PricingPolicyInput, { nullable: true, description: 'Defaults to FIXED.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => PricingPolicyInput)
  pricing?: PricingPolicyInput | null;
}
