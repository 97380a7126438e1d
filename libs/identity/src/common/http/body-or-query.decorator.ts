import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/**
 * The request's query parameters and JSON body as one object, body fields winning. For routes a seed
 * documents with a body on GET or DELETE (Explo), which many HTTP clients cannot send: they may put
 * the fields in the query instead. Coercing query strings (booleans, JSON) is the DTO's job
 * (`@Transform` helpers in `transforms.ts`); validation runs as for `@Body()`.
 */
export const BodyOrQuery = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Record<string, unknown> => {
    const request = context.switchToHttp().getRequest<{ query?: unknown; body?: unknown }>();
    const query = typeof request.query === 'object' && request.query !== null ? request.query : {};
    const body = typeof request.body === 'object' && request.body !== null ? request.body : {};
    return { ...(query as Record<string, unknown>), ...(body as Record<string, unknown>) };
  },
);
