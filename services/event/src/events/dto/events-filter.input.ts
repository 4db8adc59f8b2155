import { Field, InputType } from '@nestjs/graphql';
import { IsDate, IsIn, IsOptional, IsString, Length } from 'class-validator';
import { EVENT_CATEGORIES, type EventCategory } from '../domain/event.types';
import { EventCategoryEnum } from '../models/enums';
import { NotBeforeEarliestDate } from './earliest-date';

@InputType()
export class EventsFilterInput {
  @Field({
    nullable: true,
    description: 'Words matched as prefixes of title, category, city and venue words.',
  })
  @IsOptional()
  @IsString()
  @Length(0, 100)
  text?: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 120)
  city?: string;

  @Field(() => EventCategoryEnum, { nullable: true })
  @IsOptional()
  @IsIn(EVENT_CATEGORIES)
  category?: EventCategory;

  @Field(() => Date, { nullable: true, description: 'Events starting at or after this instant.' })
  @IsOptional()
  @IsDate()
  @NotBeforeEarliestDate()
  from?: Date;

  @Field(() => Date, { nullable: true, description: 'Events starting before this instant.' })
  @IsOptional()
  @IsDate()
  @NotBeforeEarliestDate()
  to?: Date;
}
