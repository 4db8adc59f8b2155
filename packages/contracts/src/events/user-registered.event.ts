import { z } from 'zod';
import { defineEvent } from '../define-event';
import {
  aggregateVersionSchema,
  emailSchema,
  idSchema,
  instantSchema,
  roleSchema,
  textSchema,
} from '../primitives';
import { TOPICS } from '../topics';

export const userRegisteredSchema = z.object({
  userId: idSchema,
  email: emailSchema,
  name: textSchema(120),
  role: roleSchema,
  registeredAt: instantSchema,
  aggregateVersion: aggregateVersionSchema,
});
export type UserRegisteredData = z.infer<typeof userRegisteredSchema>;

export const userRegisteredEvent = defineEvent({
  type: 'user.registered',
  version: 1,
  topic: TOPICS.users,
  producer: 'auth',
  schema: userRegisteredSchema,
  key: (d) => d.userId,
  description: 'A new account exists (keyed by the user id, the one stream not keyed by an event id).',
});
