/**
 * Which run-input schemas can be asked for field by field: an object whose properties are all scalars
 * (string, number, integer, boolean, or an enum of scalars). Anything else (nested objects, arrays,
 * combinators, $ref) is asked for as a JSON file. Pure: no `vscode`, unit-testable.
 */
import { unwrapSchema } from '../../runtime/model/types';

export type FieldKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum';

export interface InputField {
  name: string;
  kind: FieldKind;
  required: boolean;
  description?: string;
  enumValues?: (string | number | boolean | null)[];
  defaultValue?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
}

/** Most fields asked one after another before a JSON file is the better interface. */
export const MAX_SIMPLE_FIELDS = 12;

const COMPLEX_KEYWORDS = ['$ref', 'allOf', 'anyOf', 'oneOf', 'not', 'if', 'patternProperties', 'dependentSchemas', 'dependentRequired'];

/** The fields of a simple schema; undefined when the schema is not simple (or says nothing). */
export function simpleFields(schema: unknown): InputField[] | undefined {
  const s = unwrapSchema(schema);
  if (!s || typeof s !== 'object') return undefined;
  if (s.type !== undefined && s.type !== 'object') return undefined;
  if (COMPLEX_KEYWORDS.some((k) => k in s)) return undefined;
  const props = s.properties;
  if (!props || typeof props !== 'object' || Array.isArray(props)) return undefined;
  const required = new Set(Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === 'string') : []);
  const fields: InputField[] = [];
  for (const [name, raw] of Object.entries(props as Record<string, unknown>)) {
    const field = fieldOf(name, raw, required.has(name));
    if (!field) return undefined;
    fields.push(field);
  }
  if (fields.length === 0 || fields.length > MAX_SIMPLE_FIELDS) return undefined;
  return fields;
}

function fieldOf(name: string, raw: unknown, required: boolean): InputField | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const p = raw as Record<string, unknown>;
  if (COMPLEX_KEYWORDS.some((k) => k in p)) return undefined;
  const field: InputField = { name, kind: 'string', required };
  if (typeof p.description === 'string') field.description = p.description;
  else if (typeof p.title === 'string') field.description = p.title;
  if ('default' in p) field.defaultValue = p.default;
  if (Array.isArray(p.enum)) {
    if (!p.enum.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v))) return undefined;
    field.kind = 'enum';
    field.enumValues = p.enum as InputField['enumValues'];
    return field;
  }
  if ('const' in p) {
    const c = p.const;
    if (!(c === null || ['string', 'number', 'boolean'].includes(typeof c))) return undefined;
    field.kind = 'enum';
    field.enumValues = [c as string | number | boolean | null];
    return field;
  }
  let type = p.type;
  // `["string", "null"]` is a nullable scalar: ask for the scalar (empty leaves it out).
  if (Array.isArray(type)) {
    const nonNull = type.filter((t) => t !== 'null');
    if (nonNull.length !== 1) return undefined;
    type = nonNull[0];
  }
  if (type === undefined) type = 'string';
  if (type !== 'string' && type !== 'number' && type !== 'integer' && type !== 'boolean') return undefined;
  field.kind = type;
  for (const key of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength'] as const) {
    if (typeof p[key] === 'number') field[key] = p[key] as number;
  }
  if (typeof p.pattern === 'string') field.pattern = p.pattern;
  if (typeof p.format === 'string') field.format = p.format;
  return field;
}

/** The value typed for a field, or an error message. Empty text means "leave it out" (undefined). */
export function parseFieldText(field: InputField, text: string): { value?: unknown; error?: string } {
  const trimmed = text.trim();
  if (trimmed === '') return field.required ? { error: `${field.name} is required` } : {};
  switch (field.kind) {
    case 'number':
    case 'integer': {
      const n = Number(trimmed);
      if (!Number.isFinite(n)) return { error: `${field.name} must be a number` };
      if (field.kind === 'integer' && !Number.isInteger(n)) return { error: `${field.name} must be an integer` };
      if (field.minimum !== undefined && n < field.minimum) return { error: `${field.name} must be at least ${field.minimum}` };
      if (field.maximum !== undefined && n > field.maximum) return { error: `${field.name} must be at most ${field.maximum}` };
      if (field.exclusiveMinimum !== undefined && n <= field.exclusiveMinimum) return { error: `${field.name} must be more than ${field.exclusiveMinimum}` };
      if (field.exclusiveMaximum !== undefined && n >= field.exclusiveMaximum) return { error: `${field.name} must be less than ${field.exclusiveMaximum}` };
      return { value: n };
    }
    case 'boolean':
      if (trimmed === 'true') return { value: true };
      if (trimmed === 'false') return { value: false };
      return { error: `${field.name} must be true or false` };
    case 'enum': {
      const match = field.enumValues?.find((v) => String(v) === trimmed);
      return match !== undefined ? { value: match } : { error: `${field.name} must be one of ${field.enumValues?.map((v) => JSON.stringify(v)).join(', ')}` };
    }
    default: {
      // Strings keep their spaces: only the emptiness check trims.
      if (field.minLength !== undefined && text.length < field.minLength) return { error: `${field.name} needs at least ${field.minLength} characters` };
      if (field.maxLength !== undefined && text.length > field.maxLength) return { error: `${field.name} takes at most ${field.maxLength} characters` };
      if (field.pattern !== undefined) {
        let re: RegExp | undefined;
        try { re = new RegExp(field.pattern, 'u'); } catch { re = undefined; }
        if (re && !re.test(text)) return { error: `${field.name} must match ${field.pattern}` };
      }
      return { value: text };
    }
  }
}

/** How a value is shown back in an input box (the last input, or the default). */
export function fieldText(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
