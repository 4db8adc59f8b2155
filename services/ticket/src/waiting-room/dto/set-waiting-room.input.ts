import { Field, InputType, Int } from '@nestjs/graphql';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';

@InputType({
  description: "Switches an event's waiting room on or off; unset tuning keeps its current value.",
})
export class SetWaitingRoomInput {
  @Field()
  @IsBoolean()
  enabled!: boolean;

  @Field(() => Int, { nullable: true, description: 'Lifetime of an admission pass (10..900 s).' })
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(900)
  passTtlSeconds?: number;

  @Field(() => Int, { nullable: true, description: 'Outstanding passes the limiter starts from.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  initialLimit?: number;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  minLimit?: number;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  maxLimit?: number;

  @Field(() => Int, {
    nullable: true,
    description: 'Reservation latency the limiter keeps under (50..10000 ms).',
  })
  @IsOptional()
  @IsInt()
  @Min(50)
  @Max(10_000)
  targetLatencyMs?: number;
}
