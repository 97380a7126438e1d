import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '../../common/peers/swagger.js';
import { Transform, type TransformFnParams } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { PAGE } from '../external-users.rules.js';

/** `@Transform(integerFromString)`: `'12'` from a query string becomes 12; anything else is left for validation. */
export function integerFromString({ value }: TransformFnParams): unknown {
  return typeof value === 'string' && /^-?\d{1,15}$/.test(value) ? Number(value) : value;
}

/** `@Transform(listFromString)`: Zaia's "one uuid or uuid[]" query parameters, always as a list. */
export function listFromString({ value }: TransformFnParams): unknown {
  return typeof value === 'string' ? [value] : value;
}

/**
 * The query string of a list route, with `ids[]=a&ids[]=b` (how axios and qs send arrays) read as
 * `ids=a&ids=b`, so both spellings of Zaia's `uuid[]` parameters work on Express's simple query parser.
 */
export const ListQuery = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  mergeRepeatedKeys(context.switchToHttp().getRequest<{ query?: unknown }>().query),
);

/**
 * `ids[]=a&ids[]=b` and `ids=a&ids=b` as one list. Merged in a Map and made an object with
 * `Object.fromEntries` (own data properties only): assigning `query['__proto__']` on a plain object
 * would read `Object.prototype` back as a "previous value" and make an array holding it the query's
 * prototype, and the validation pipe's prototype-key stripping would then delete
 * `Object.prototype.constructor` for the whole process (every later request a 500).
 */
export function mergeRepeatedKeys(raw: unknown): Record<string, unknown> {
  const merged = new Map<string, unknown>();
  for (const [key, value] of Object.entries(typeof raw === 'object' && raw !== null ? raw : {})) {
    const name = key.endsWith('[]') ? key.slice(0, -2) : key;
    const previous = merged.get(name);
    merged.set(
      name,
      previous === undefined
        ? value
        : [...([] as unknown[]).concat(previous), ...([] as unknown[]).concat(value)],
    );
  }
  return Object.fromEntries(merged);
}

/** The `{id}` of a route; a malformed one is a 400 naming `id`. */
export class IdParamDto {
  @ApiProperty({ format: 'uuid', description: 'A UUID string that identifies an entity.' })
  @IsUUID('all')
  id: string;
}

/** Zaia's page parameters: `pageNumber` ≥ 1 (default 1), `pageSize` 1..100 (default 10). */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, default: 1, description: 'The page number.' })
  @IsOptional()
  @Transform(integerFromString)
  @IsInt()
  @Min(1)
  @Max(PAGE.maxNumber)
  pageNumber?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: PAGE.maxSize,
    default: PAGE.defaultSize,
    description: 'The page size.',
  })
  @IsOptional()
  @Transform(integerFromString)
  @IsInt()
  @Min(1)
  @Max(PAGE.maxSize)
  pageSize?: number;
}

/** Zaia's error body: `{ message }`, and for a 400 the offending fields. */
export class ZaiaError {
  @ApiProperty({ example: 'Invalid data provided.' })
  message: string;

  @ApiPropertyOptional({
    description: 'For a 400: each offending field and what is wrong with it',
    example: [{ field: 'name', message: 'name must be longer than or equal to 3 characters' }],
  })
  details?: { field: string; message: string }[];
}
