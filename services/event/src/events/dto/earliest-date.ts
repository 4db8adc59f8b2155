import { MinDate } from 'class-validator';
import { EARLIEST_DATE } from '../domain/event-rules';

/**
 * On every DateTime input of this service: nothing before EARLIEST_DATE (2000-01-01). No event, sale, door or
 * price tier of this platform is that old, so such a date is a typo or a zero (`0001-01-01`, `1970-01-01`).
 */
export const NotBeforeEarliestDate = (): PropertyDecorator =>
  MinDate(EARLIEST_DATE, {
    message: `The date must be on or after ${EARLIEST_DATE.toISOString().slice(0, 10)}`,
  });
