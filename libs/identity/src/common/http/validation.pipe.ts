import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { IdentityError } from '../errors/identity-error.js';

/** Flattens class-validator errors into `field: reason` lines with dotted paths for nested fields. */
export function describeValidationErrors(
  errors: ValidationError[],
  parent = '',
): { fields: string[]; messages: string[] } {
  const fields: string[] = [];
  const messages: string[] = [];
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    if (error.constraints) {
      fields.push(path);
      messages.push(
        ...Object.values(error.constraints).map((m) => (m.startsWith(path) ? m : `${path}: ${m}`)),
      );
    }
    if (error.children && error.children.length > 0) {
      const nested = describeValidationErrors(error.children, path);
      fields.push(...nested.fields);
      messages.push(...nested.messages);
    }
  }
  return { fields, messages };
}

/** Paths of string values holding a NUL character, which PostgreSQL cannot store in text. */
export function findNulCharacters(value: unknown, path = '', found: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) {
      found.push(path || 'value');
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => findNulCharacters(item, path ? `${path}.${i}` : String(i), found));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      findNulCharacters(item, path ? `${path}.${key}` : key, found);
    }
  }
  return found;
}

/** ValidationPipe that first refuses NUL characters anywhere in the input, so both databases agree. */
class IdentityValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const fields = findNulCharacters(value);
    if (fields.length > 0) {
      throw IdentityError.validation(
        `Invalid data provided: ${fields.map((f) => `${f}: must not contain NUL characters`).join('; ')}`,
        fields,
      );
    }
    return super.transform(value, metadata);
  }
}

/**
 * The module's validation pipe: unknown fields are refused (no mass assignment), values are
 * transformed to the DTO's types, and failures become an `IdentityError` naming every field.
 */
export function identityValidationPipe(options: { forbidUnknown?: boolean } = {}): ValidationPipe {
  return new IdentityValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: options.forbidUnknown ?? true,
    transform: true,
    validateCustomDecorators: true,
    exceptionFactory: (errors) => {
      const { fields, messages } = describeValidationErrors(errors);
      return IdentityError.validation(`Invalid data provided: ${messages.join('; ')}`, fields);
    },
  });
}
