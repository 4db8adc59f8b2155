import { Field, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

@InputType()
export class SeatRowInput {
  @Field()
  @IsString()
  @Length(1, 10)
  name!: string;

  @Field(() => [String], { nullable: true, description: 'Seat labels. Give these or seatCount.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @Length(1, 10, { each: true })
  seats?: string[] | null;

  @Field(() => Int, { nullable: true, description: 'Seats labelled 1..seatCount. Give this or seats.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  seatCount?: number | null;
}

@InputType()
export class SeatSectionInput {
  @Field()
  @IsString()
  @Length(1, 10)
  name!: string;

  @Field(() => [SeatRowInput])
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => SeatRowInput)
  rows!: SeatRowInput[];
}

@InputType()
export class SeatMapInput {
  @Field(() => [SeatSectionInput])
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => SeatSectionInput)
  sections!: SeatSectionInput[];
}

@InputType()
export class VenueInput {
  @Field()
  @IsString()
  @Length(1, 120)
  name!: string;

  @Field()
  @IsString()
  @Length(1, 300)
  address!: string;

  @Field()
  @IsString()
  @Length(1, 120)
  city!: string;

  @Field(() => Int)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  capacity!: number;

  @Field(() => SeatMapInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => SeatMapInput)
  seatMap?: SeatMapInput | null;
}
