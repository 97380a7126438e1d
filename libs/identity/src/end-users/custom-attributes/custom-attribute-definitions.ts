import { IdentityError } from '../../common/errors/identity-error.js';
import { isUuid, newId } from '../../common/persistence/persistence.js';
import type { CustomAttributeEntity, CustomAttributeInput, SelectOption } from './custom-attribute.entity.js';

/** An option of a Select attribute as a host defines it; a missing id is made, a missing label is the value. */
export interface SelectOptionInput {
  id?: string;
  value: string;
  label?: string;
  isDeactivated?: boolean;
  nestedOptions?: SelectOptionInput[];
}

/** How a host defines an attribute's input: Text with a placeholder, or Select with (nested) options. */
export type CustomAttributeInputDefinition =
  { _type: 'Text'; placeholder?: string | null } | { _type: 'Select'; options: SelectOptionInput[] };

/** Limits of definitions and values. */
export const CUSTOM_ATTRIBUTE_LIMITS = {
  optionsPerLevel: 200,
  optionDepth: 5,
  optionText: 200,
  placeholder: 200,
  textValue: 4096,
} as const;

/**
 * Checks a host's input definition and gives every option an id; throws a validation error naming the
 * offending place (`inputDefinition.options.2.value`).
 */
export function normalizeInputDefinition(raw: unknown): CustomAttributeInput {
  const problems: string[] = [];
  const problem = (path: string, message: string) => problems.push(`${path}: ${message}`);
  let result: CustomAttributeInput | undefined;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problem('inputDefinition', "must be an object with _type 'Text' or 'Select'");
  } else {
    const definition = raw as Record<string, unknown>;
    if (definition._type === 'Text') {
      const placeholder = definition.placeholder ?? null;
      if (
        placeholder !== null &&
        (typeof placeholder !== 'string' || placeholder.length > CUSTOM_ATTRIBUTE_LIMITS.placeholder)
      ) {
        problem(
          'inputDefinition.placeholder',
          `must be a string of at most ${CUSTOM_ATTRIBUTE_LIMITS.placeholder} characters`,
        );
      }
      result = { _type: 'Text', placeholder: placeholder as string | null };
    } else if (definition._type === 'Select') {
      const options = normalizeOptions(definition.options, 'inputDefinition.options', 1, problem);
      if (options.length === 0 && problems.length === 0) {
        problem('inputDefinition.options', 'must hold at least one option');
      }
      result = { _type: 'Select', options };
    } else {
      problem('inputDefinition._type', "must be 'Text' or 'Select'");
    }
  }
  if (problems.length > 0 || !result) {
    throw IdentityError.validation(problems.join('; '), ['inputDefinition']);
  }
  return result;
}

function normalizeOptions(
  raw: unknown,
  path: string,
  depth: number,
  problem: (path: string, message: string) => void,
): SelectOption[] {
  if (!Array.isArray(raw)) {
    problem(path, 'must be an array of options');
    return [];
  }
  if (raw.length > CUSTOM_ATTRIBUTE_LIMITS.optionsPerLevel) {
    problem(path, `must hold at most ${CUSTOM_ATTRIBUTE_LIMITS.optionsPerLevel} options`);
    return [];
  }
  if (depth > CUSTOM_ATTRIBUTE_LIMITS.optionDepth) {
    problem(path, `must not nest options deeper than ${CUSTOM_ATTRIBUTE_LIMITS.optionDepth} levels`);
    return [];
  }
  const seen = new Set<string>();
  return raw.map((item: unknown, i): SelectOption => {
    const at = `${path}.${i}`;
    const option = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const text = (name: string, value: unknown, required: boolean): string | undefined => {
      if (value === undefined && !required) {
        return undefined;
      }
      if (
        typeof value !== 'string' ||
        value.length === 0 ||
        value.length > CUSTOM_ATTRIBUTE_LIMITS.optionText
      ) {
        problem(`${at}.${name}`, `must be 1 to ${CUSTOM_ATTRIBUTE_LIMITS.optionText} characters long`);
        return undefined;
      }
      return value;
    };
    const value = text('value', option.value, true) ?? '';
    if (value && seen.has(value)) {
      problem(`${at}.value`, 'repeats another option of the same level');
    }
    seen.add(value);
    if (option.id !== undefined && !isUuid(option.id)) {
      problem(`${at}.id`, 'must be a UUID when given');
    }
    if (option.isDeactivated !== undefined && typeof option.isDeactivated !== 'boolean') {
      problem(`${at}.isDeactivated`, 'must be a boolean');
    }
    return {
      id: isUuid(option.id) ? option.id.toLowerCase() : newId(),
      value,
      label: text('label', option.label, false) ?? value,
      isDeactivated: option.isDeactivated === true,
      nestedOptions:
        option.nestedOptions === undefined
          ? []
          : normalizeOptions(option.nestedOptions, `${at}.nestedOptions`, depth + 1, problem),
    };
  });
}

/**
 * Why `value` cannot be stored for `attribute`, or undefined when it can. Text takes a string; Select takes
 * the path of option values from the top level down (`["Europe", "Denmark"]`), each an active option.
 */
export function valueProblem(attribute: CustomAttributeEntity, value: unknown): string | undefined {
  if (attribute.entityType !== 'Contact') {
    return `is a ${attribute.entityType} attribute, not an end user one`;
  }
  if (attribute.isArchived) {
    return 'is archived and takes no values';
  }
  if (attribute.isDeactivated) {
    return 'is deactivated and takes no values';
  }
  if (value === null) {
    return attribute.isRequired ? 'is required and cannot be cleared' : undefined;
  }
  const input = attribute.inputDefinition;
  if (input._type === 'Text') {
    if (typeof value !== 'string') {
      return 'takes a string (Text attribute)';
    }
    return value.length > CUSTOM_ATTRIBUTE_LIMITS.textValue
      ? `must be at most ${CUSTOM_ATTRIBUTE_LIMITS.textValue} characters long`
      : undefined;
  }
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) {
    return 'takes a non-empty array of option values (Select attribute)';
  }
  let level = input.options;
  for (const step of value as string[]) {
    const option = level.find((o) => o.value === step);
    if (!option) {
      return `'${step}' is not one of its options${level === input.options ? '' : ' at that level'}`;
    }
    if (option.isDeactivated) {
      return `option '${step}' is deactivated`;
    }
    level = option.nestedOptions;
  }
  return undefined;
}
