import { ValidationPipe, type ValidationError } from '@nestjs/common';
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

/**
 * The module's validation pipe: unknown fields are refused (no mass assignment), values are
 * transformed to the DTO's types, and failures become an `IdentityError` naming every field.
 */
export function identityValidationPipe(options: { forbidUnknown?: boolean } = {}): ValidationPipe {
  return new ValidationPipe({
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
