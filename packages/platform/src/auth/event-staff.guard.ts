import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import { badInput, forbidden, unauthenticated } from '../graphql/errors';
import { attachedUser } from './auth-context';
import { EVENT_STAFF_KEY } from './auth.constants';
import { Role } from './auth-user';
import { EVENT_ACCESS, type EventAccess } from './event-access';
import type { EventStaffOptions } from './event-staff.decorator';

function pick(source: unknown, path: string): unknown {
  let value: unknown = source;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

interface HttpRequestLike {
  params?: unknown;
  query?: unknown;
  body?: unknown;
}

/** Enforces `@EventStaff(...)`: organizer, staff (unless organizerOnly) or ADMIN. */
@Injectable()
export class EventStaffGuard implements CanActivate {
  private access?: EventAccess;

  constructor(
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
  ) {}

  async canActivate(executionContext: ExecutionContext): Promise<boolean> {
    const options = this.reflector.getAllAndOverride<EventStaffOptions | undefined>(EVENT_STAFF_KEY, [
      executionContext.getHandler(),
      executionContext.getClass(),
    ]);
    if (!options) return true;
    const user = attachedUser(executionContext);
    if (!user) throw unauthenticated();

    const argName = options.eventIdArg ?? 'eventId';
    const eventId = this.eventIdOf(executionContext, options, argName);
    if (typeof eventId !== 'string' || eventId.length === 0) throw badInput(argName, 'Event id is required');

    // Asked for ADMIN too: a service whose access check knows which events exist answers an unknown one
    // NOT_FOUND, for an admin as for anyone (never a made-up empty answer for a mistyped id).
    const access = this.eventAccess();
    if (await access.isOrganizer(user.id, eventId)) return true;
    if (user.role === Role.ADMIN) return true;
    if (!options.organizerOnly && (await access.isStaff(user.id, eventId))) return true;
    throw forbidden(
      options.organizerOnly
        ? "Only the event's organizer or an admin may do this"
        : 'Only the staff, the organizer of this event or an admin may do this',
      argName,
    );
  }

  private eventIdOf(
    executionContext: ExecutionContext,
    options: EventStaffOptions,
    argName: string,
  ): unknown {
    if (executionContext.getType<GqlContextType>() === 'graphql') {
      const gql = GqlExecutionContext.create(executionContext);
      const args = gql.getArgs<Record<string, unknown>>();
      return options.resolveEventId ? options.resolveEventId(args, gql.getRoot()) : pick(args, argName);
    }
    const req = executionContext.switchToHttp().getRequest<HttpRequestLike>();
    const args = { ...(req.query as object), ...(req.body as object), ...(req.params as object) };
    return options.resolveEventId ? options.resolveEventId(args, undefined) : pick(args, argName);
  }

  private eventAccess(): EventAccess {
    if (!this.access) {
      try {
        this.access = this.moduleRef.get<EventAccess>(EVENT_ACCESS, { strict: false });
      } catch {
        throw new Error('@EventStaff() needs an EVENT_ACCESS provider in the application');
      }
    }
    return this.access;
  }
}
