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

/**
 * How deep objects and arrays may nest in one input value (a request body, a query, one parameter),
 * counting the value itself as level 1: `{ "properties": { "a": 1 } }` is 2 levels deep. Real
 * payloads stay far below it; far deeper ones (a few thousand levels fit in a 100 KB body) would
 * overflow the stack of the recursive steps after the pipe (class-transformer, JSON.stringify).
 */
export const MAX_INPUT_DEPTH = 32;

/** What is wrong at one place of an input value. */
export type InputProblemReason = 'too-deep' | 'nul' | 'unpaired-surrogate';

/** One problem found by {@link findInputProblems}. */
export interface InputProblem {
  /**
   * Dotted path of the field. For `too-deep` it is the top-level field holding the deep value;
   * NUL and unpaired surrogates inside a path's keys are written as `\uXXXX`.
   */
  field: string;
  reason: InputProblemReason;
  /** True when the object key (the field's name) holds the character, not its value. */
  inKey: boolean;
}

const UNPAIRED_SURROGATE = /\p{Cs}/u;
const UNSAFE_IN_PATH = /[\0\p{Cs}]/gu;

/** A key as it may be shown in a message: NUL and unpaired surrogates written as `\uXXXX`. */
function printableKey(key: string): string {
  return key.replace(UNSAFE_IN_PATH, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Text that neither database stores as sent: PostgreSQL refuses NUL, and stores an unpaired UTF-16 surrogate as U+FFFD. */
function textProblems(text: string): InputProblemReason[] {
  const reasons: InputProblemReason[] = [];
  if (text.includes('\u0000')) {
    reasons.push('nul');
  }
  if (UNPAIRED_SURROGATE.test(text)) {
    reasons.push('unpaired-surrogate');
  }
  return reasons;
}

interface Frame {
  value: unknown;
  path: string;
  /** The top-level field this value belongs to, named in a depth problem. */
  field: string;
  depth: number;
  /** The object key this value sits under, checked when the frame is visited. */
  key?: string;
}

/**
 * Walks an input value once, without recursion (an explicit stack, so no input can overflow it), and
 * lists, in document order: containers nested deeper than `maxDepth` (once per top-level field; the walk
 * does not go below them), and strings — values and object keys — holding NUL or an unpaired UTF-16
 * surrogate. Well-formed surrogate pairs (emoji) are fine. `root` names the value itself, if it has a name.
 */
export function findInputProblems(value: unknown, maxDepth = MAX_INPUT_DEPTH, root = ''): InputProblem[] {
  const problems: InputProblem[] = [];
  const tooDeep = new Set<string>();
  const stack: Frame[] = [{ value, path: root, field: root || 'value', depth: 1 }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    const { value: current, path, field, depth, key } = frame;
    if (key !== undefined) {
      for (const reason of textProblems(key)) {
        problems.push({ field: path, reason, inKey: true });
      }
    }
    if (typeof current === 'string') {
      for (const reason of textProblems(current)) {
        problems.push({ field: path || 'value', reason, inKey: false });
      }
    } else if (typeof current === 'object' && current !== null) {
      if (depth > maxDepth) {
        if (!tooDeep.has(field)) {
          tooDeep.add(field);
          problems.push({ field, reason: 'too-deep', inKey: false });
        }
        continue;
      }
      const child = (segment: string, item: unknown, name?: string): Frame => ({
        value: item,
        path: path ? `${path}.${segment}` : segment,
        field: path ? field : segment,
        depth: depth + 1,
        key: name,
      });
      // Children are pushed last-first, so they are visited in document order.
      if (Array.isArray(current)) {
        for (let i = current.length - 1; i >= 0; i--) {
          stack.push(child(String(i), current[i]));
        }
      } else {
        const entries = Object.entries(current);
        for (let i = entries.length - 1; i >= 0; i--) {
          const [name, item] = entries[i];
          stack.push(child(printableKey(name), item, name));
        }
      }
    }
  }
  return problems;
}

const PROBLEM_TEXT: Record<InputProblemReason, string> = {
  'too-deep': `must not nest objects or arrays deeper than ${MAX_INPUT_DEPTH} levels`,
  nul: 'must not contain NUL characters',
  'unpaired-surrogate': 'must not contain unpaired UTF-16 surrogates',
};

/**
 * ValidationPipe that first walks the input once (see {@link findInputProblems}) and refuses values nested
 * deeper than {@link MAX_INPUT_DEPTH}, NUL characters and unpaired surrogates, before any recursive step
 * (class-transformer) sees them: deep input is a 400, not a stack overflow, and both databases agree.
 */
class IdentityValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    assertSafeInput(value, typeof metadata.data === 'string' ? metadata.data : '');
    return super.transform(value, metadata);
  }
}

/**
 * Throws a validation `IdentityError` naming every field that nests too deep or holds NUL or an
 * unpaired surrogate (see {@link findInputProblems}); `root` prefixes the field paths.
 */
export function assertSafeInput(value: unknown, root = ''): void {
  const problems = findInputProblems(value, MAX_INPUT_DEPTH, root);
  if (problems.length > 0) {
    const messages = problems.map(
      ({ field, reason, inKey }) => `${field}: ${inKey ? 'name ' : ''}${PROBLEM_TEXT[reason]}`,
    );
    throw IdentityError.validation(messages.join('; '), [...new Set(problems.map((p) => p.field))]);
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
      return IdentityError.validation(messages.join('; '), fields);
    },
  });
}
