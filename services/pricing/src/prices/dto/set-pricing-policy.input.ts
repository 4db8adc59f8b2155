import { Field, Float, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsDate,
  IsEnum,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  ValidateNested,
} from 'class-validator';
import { PricingPolicyKind } from '../models/price.models';

@InputType()
export class PriceTierRuleInput {
  @Field(() => Int, { description: 'Price of the tier in integer minor units.' })
  @IsInt()
  amount!: number;

  @Field(() => Date, { nullable: true, description: 'The tier applies until then.' })
  @IsOptional()
  @IsDate()
  until?: Date | null;

  @Field(() => Int, { nullable: true, description: 'The tier applies while fewer than this many are sold.' })
  @IsOptional()
  @IsInt()
  untilSold?: number | null;
}

@InputType()
export class SetPricingPolicyInput {
  @Field(() => PricingPolicyKind)
  @IsEnum(PricingPolicyKind)
  kind!: PricingPolicyKind;

  @Field({ description: "ISO 4217 code; must be the ticket type's currency." })
  @IsString()
  currency!: string;

  @Field(() => Int, { nullable: true, description: 'DEMAND: lowest price (minor units, > 0).' })
  @IsOptional()
  @IsInt()
  floor?: number | null;

  @Field(() => Int, { nullable: true, description: 'DEMAND: highest price (minor units, >= floor).' })
  @IsOptional()
  @IsInt()
  ceiling?: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'DEMAND: largest change per step, percent (0 < x <= 100).',
  })
  @IsOptional()
  @IsNumber()
  maxStepPct?: number | null;

  @Field(() => Int, { nullable: true, description: 'DEMAND: least time between two changes (0-86400 s).' })
  @IsOptional()
  @IsInt()
  minIntervalSeconds?: number | null;

  @Field(() => Float, { nullable: true, description: 'DEMAND: how strongly demand moves the price (0-5).' })
  @IsOptional()
  @IsNumber()
  sensitivity?: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'DEMAND: ignore target moves below this percent (0-50).',
  })
  @IsOptional()
  @IsNumber()
  hysteresisPct?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'DEMAND: minor units every new price ends with (e.g. 99).',
  })
  @IsOptional()
  @IsInt()
  priceEnding?: number | null;

  @Field(() => [PriceTierRuleInput], {
    nullable: true,
    description: 'TIERED: the tiers in order; the last open-ended.',
  })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => PriceTierRuleInput)
  tiers?: PriceTierRuleInput[] | null;
}
