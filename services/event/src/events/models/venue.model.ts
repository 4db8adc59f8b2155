import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType()
export class SeatRow {
  @Field()
  name!: string;

  @Field(() => [String], { description: 'Seat labels; a seat id is `<section>-<row>-<seat>`, e.g. A-12-7.' })
  seats!: string[];
}

@ObjectType()
export class SeatSection {
  @Field()
  name!: string;

  @Field(() => [SeatRow])
  rows!: SeatRow[];
}

@ObjectType()
export class SeatMap {
  @Field(() => [SeatSection])
  sections!: SeatSection[];

  @Field(() => Int)
  seatCount!: number;
}

@ObjectType()
export class Venue {
  @Field()
  name!: string;

  @Field()
  address!: string;

  @Field()
  city!: string;

  @Field(() => Int)
  capacity!: number;

  @Field(() => SeatMap, { nullable: true })
  seatMap?: SeatMap | null;
}
