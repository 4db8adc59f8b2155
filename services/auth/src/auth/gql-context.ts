import type { GraphqlRequestContext } from '@ticketing/platform';
import type { Request, Response } from 'express';

/** The GraphQL request context the platform builds, with the Express request and response (HTTP only). */
export type GqlContext = GraphqlRequestContext & { req: Request; res: Response };
