import { Field, ID, InputType, Int } from '@nestjs/graphql';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Max,
  Min,
} from 'class-validator';

@InputType({
  description: 'Either `quantity` (general admission) or `seatIds` (reserved seating), not both.',
})
export class ReserveTicketsInput {
  @Field(() => ID)
  @IsString()
  @Matches(/^(?:[0-9a-fA-F]{24}|[0-9a-fA-F-]{36})$/, { message: 'ticketTypeId must be a ticket type id' })
  ticketTypeId!: string;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  quantity?: number;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_:-]{0,63}$/, { each: true, message: 'seatIds must be seat ids' })
  seatIds?: string[];

  @Field(() => String, {
    nullable: true,
    description: 'The admission pass the waiting room gave the buyer (required while the room is active).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  admissionPass?: string;
}
