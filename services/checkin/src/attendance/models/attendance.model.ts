import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType()
export class GateAttendance {
  @Field()
  gateId!: string;

  @Field(() => Int)
  admitted!: number;
}

@ObjectType()
export class MinuteAttendance {
  @Field({ description: 'Start of the minute (UTC).' })
  minute!: Date;

  @Field(() => Int)
  admitted!: number;
}

@ObjectType({ description: 'Live attendance of an event, folded from checkin.recorded.' })
export class Attendance {
  @Field(() => ID)
  eventId!: string;

  @Field(() => Int, { description: 'Tickets admitted (each at most once).' })
  admitted!: number;

  @Field(() => Int, { description: 'People inside now: admitted + returns − exits.' })
  inside!: number;

  @Field(() => Int, { description: 'Exit scans that let a ticket out (events with re-entry).' })
  exits!: number;

  @Field(() => Int, { description: 'Returns after an exit (not counted in admitted).' })
  reentries!: number;

  @Field(() => Int, { description: 'Scans of a ticket already admitted.' })
  repeats!: number;

  @Field(() => Int, { description: 'Offline scans that lost to an earlier scan of the same ticket.' })
  conflicts!: number;

  @Field(() => Int, { description: 'Scans refused (invalid, revoked, wrong event, doors not open).' })
  refused!: number;

  @Field(() => [GateAttendance])
  gates!: GateAttendance[];

  @Field(() => [MinuteAttendance], { description: 'Admissions per minute, oldest first.' })
  perMinute!: MinuteAttendance[];

  @Field(() => Date, { nullable: true })
  updatedAt!: Date | null;
}
