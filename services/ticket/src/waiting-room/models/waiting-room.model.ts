import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum WaitingRoomState {
  /** The event has no active waiting room: reserve directly, no pass needed. */
  NOT_NEEDED = 'NOT_NEEDED',
  /** The room is active and the caller has not joined (or their turn ended): join to get a place. */
  NOT_JOINED = 'NOT_JOINED',
  /** In the queue at `position`. */
  WAITING = 'WAITING',
  /** Admitted: reserve with `admissionPass` before `passExpiresAt`. */
  ADMITTED = 'ADMITTED',
  /** The pass expired unused: join again (at the back of the queue). */
  PASS_EXPIRED = 'PASS_EXPIRED',
  /** The pass was used: join again for another turn (at the back). */
  PASS_USED = 'PASS_USED',
  /** The event was cancelled or is over: nothing to wait for any more (joining is refused). */
  CLOSED = 'CLOSED',
}

registerEnumType(WaitingRoomState, { name: 'WaitingRoomState' });

@ObjectType({ description: "The caller's place in an event's waiting room." })
export class WaitingRoomStatus {
  @Field(() => ID)
  eventId!: string;

  @Field(() => WaitingRoomState)
  state!: WaitingRoomState;

  @Field(() => Int, { nullable: true, description: 'Place in the queue, 1 = next (WAITING only).' })
  position!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Estimated seconds until admission, from the measured admission rate (null: not known yet).',
  })
  estimatedWaitSeconds!: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'The signed admission pass to give reserveTickets as input.admissionPass (ADMITTED only).',
  })
  admissionPass!: string | null;

  @Field(() => Date, { nullable: true })
  passExpiresAt!: Date | null;

  @Field()
  at!: Date;
}

@ObjectType({ description: "An event's waiting room as its organizer sees it." })
export class WaitingRoom {
  @Field(() => ID)
  eventId!: string;

  @Field()
  enabled!: boolean;

  @Field(() => Int)
  passTtlSeconds!: number;

  @Field(() => Int)
  initialLimit!: number;

  @Field(() => Int)
  minLimit!: number;

  @Field(() => Int)
  maxLimit!: number;

  @Field(() => Int)
  targetLatencyMs!: number;

  @Field(() => Int, { description: 'Buyers in the queue now.' })
  waiting!: number;

  @Field(() => Int, {
    description:
      'Admitted buyers holding a slot of the limit: passes neither used nor expired, less those left unused ' +
      'past the slot hold (they stay valid until they expire, but no longer keep the next buyer waiting).',
  })
  admittedOutstanding!: number;

  @Field(() => Int, {
    description: 'How many passes may be outstanding now (adjusted from measured reservation latency).',
  })
  currentLimit!: number;

  @Field(() => Int, { description: 'Buyers admitted over about the last minute.' })
  admittedPerMinute!: number;

  @Field(() => Int, {
    nullable: true,
    description: 'Recent average reservation latency seen by the limiter.',
  })
  averageReserveLatencyMs!: number | null;

  @Field()
  at!: Date;
}
