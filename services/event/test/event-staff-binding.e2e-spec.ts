import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventsService } from '../src/events/events.service';
import { UsersService } from '../src/users/users.service';
import {
  ADD_STAFF,
  CREATE_EVENT,
  eventInput,
  startEventApp,
  type EventTestApp,
  type TestUser,
} from './support/event-app';

// A staff member added by email while that person is signing up: addEventStaff reads the users replica, then
// writes the entry; the user.registered consumer writes the replica, then binds the entries it finds. Each
// test forces one interleaving of those four steps (hooks on the service's own calls, no sleeps) and checks
// the entry ends up bound to the account exactly once, whichever path binds it.

describe('a staff member added while the account registers is always bound', () => {
  let t: EventTestApp;
  let organizer: TestUser;
  let users: UsersService;
  let events: EventsService;

  beforeAll(async () => {
    t = await startEventApp('event-staff-binding');
    organizer = await t.user('ORGANIZER');
    users = t.app.get(UsersService);
    events = t.app.get(EventsService);
  });

  afterAll(async () => {
    await t?.close();
  });

  function newAccount() {
    const id = randomUUID();
    return { id, email: `late-${id.slice(0, 8)}@example.com`, name: 'Late Joiner' };
  }

  /** What the user.registered consumer does for one message: the replica, then the pending entries. */
  async function register(account: { id: string; email: string; name: string }) {
    await users.applyRegistered({
      userId: account.id,
      email: account.email,
      name: account.name,
      role: 'STAFF',
      registeredAt: new Date().toISOString(),
      aggregateVersion: 1,
    });
    return events.bindStaff(account);
  }

  async function draft() {
    const created = await t.gql(CREATE_EVENT, { input: eventInput({ title: 'Staffed' }) }, organizer);
    expect(created.errors).toBeUndefined();
    return created.data.createEvent.id as string;
  }

  it('the registration lands between the lookup and the write of the pending entry', async () => {
    const account = newAccount();
    const eventId = await draft();
    const lookup = users.findByEmail.bind(users);
    let bindsBeforeTheEntry: number | undefined;
    users.findByEmail = async (email: string) => {
      const found = await lookup(email);
      // The first lookup missed; the whole registration runs before addEventStaff writes its entry, so the
      // consumer's bind finds nothing to bind.
      if (bindsBeforeTheEntry === undefined) bindsBeforeTheEntry = await register(account);
      return found;
    };
    try {
      const added = await t.gql(ADD_STAFF, { eventId, email: account.email }, organizer);
      expect(added.errors).toBeUndefined();
      expect(bindsBeforeTheEntry).toBe(0);
      expect(added.data.addEventStaff.staff).toEqual([
        { userId: account.id, email: account.email, name: account.name },
      ]);
    } finally {
      delete (users as { findByEmail?: unknown }).findByEmail;
    }
    const stored = await t.stored(eventId);
    expect(stored!.staff).toEqual([expect.objectContaining({ userId: account.id, name: account.name })]);
    // Created, pending entry, bound.
    expect(stored!.version).toBe(3);
  });

  it('the registration lands after the pending entry is written, while addEventStaff is still running', async () => {
    const account = newAccount();
    const eventId = await draft();
    const model = t.events as unknown as { updateOne: (...args: unknown[]) => unknown };
    const hadOwn = Object.prototype.hasOwnProperty.call(model, 'updateOne');
    const previous = model.updateOne;
    const updateOne = previous.bind(t.events);
    let bindsAfterTheEntry: number | undefined;
    model.updateOne = (...args: unknown[]) => {
      const query = updateOne(...args) as { exec: () => Promise<{ modifiedCount: number }> };
      const staff = (args[1] as { $set?: { staff?: Array<{ email: string; userId: string | null }> } })?.$set
        ?.staff;
      const pending = staff?.some((s) => s.email === account.email && s.userId === null);
      if (!pending || bindsAfterTheEntry !== undefined) return query;
      const exec = query.exec.bind(query);
      query.exec = async () => {
        const result = await exec();
        // The pending entry is in; the whole registration runs before addEventStaff goes on.
        bindsAfterTheEntry = await register(account);
        return result;
      };
      return query;
    };
    try {
      const added = await t.gql(ADD_STAFF, { eventId, email: account.email }, organizer);
      expect(added.errors).toBeUndefined();
      expect(bindsAfterTheEntry).toBe(1);
      expect(added.data.addEventStaff.staff).toEqual([
        { userId: account.id, email: account.email, name: account.name },
      ]);
    } finally {
      if (hadOwn) model.updateOne = previous;
      else delete (model as { updateOne?: unknown }).updateOne;
    }
    const stored = await t.stored(eventId);
    expect(stored!.staff).toEqual([expect.objectContaining({ userId: account.id, name: account.name })]);
    // Bound once: the second path finds nothing left to bind and writes nothing.
    expect(stored!.version).toBe(3);
  });

  it('an account registered before the staff member is added is bound at once', async () => {
    const account = newAccount();
    const eventId = await draft();
    expect(await register(account)).toBe(0);
    const added = await t.gql(ADD_STAFF, { eventId, email: account.email.toUpperCase() }, organizer);
    expect(added.data.addEventStaff.staff).toEqual([
      { userId: account.id, email: account.email, name: account.name },
    ]);
    expect((await t.stored(eventId))!.version).toBe(2);
  });
});
