import type { z } from 'zod';
import { booleanSchema } from '../template/boolean.js';

type Def = {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  entries?: Record<string, unknown>;
  values?: unknown[];
  defaultValue?: unknown;
  valueType?: z.ZodType;
  format?: string;
  checks?: { _zod: { def: { format?: string } } }[];
};

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** A schema's description: `.describe()` on it, or on the schema an optional/default/pipe wraps. */
export const descriptionOf = (schema: z.ZodType): string | undefined => {
  if (schema.description) return schema.description;
  const def = defOf(schema);
  const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
  return inner ? descriptionOf(inner) : undefined;
};

/** The default a schema fills in (`.default(x)`), looked for through its wrappers. */
export const schemaDefault = (schema: z.ZodType): { value: unknown } | undefined => {
  const def = defOf(schema);
  if (def.type === 'default') return { value: typeof def.defaultValue === 'function' ? (def.defaultValue as () => unknown)() : def.defaultValue };
  const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
  return inner ? schemaDefault(inner) : undefined;
};

/** Whether the schema takes a missing value (optional, or a default fills it). */
export const acceptsMissing = (schema: z.ZodType): boolean => schema.safeParse(undefined).success;

type Check = { format?: string; prefix?: string; suffix?: string };

const checksOf = (def: Def): Check[] => [{ format: def.format }, ...(def.checks ?? []).map((c) => c._zod.def as Check)];

// a string's format in words; a regex is left to the description (a pattern says little to a reader)
const FORMAT_WORDS: Record<string, (c: Check) => string> = {
  url: () => 'URL',
  ipv4: () => 'IPv4 address',
  ipv6: () => 'IPv6 address',
  email: () => 'email address',
  starts_with: (c) => `starting with \`${c.prefix}\``,
  ends_with: (c) => `ending with \`${c.suffix}\``,
};

const stringWords = (def: Def): string => {
  const words = checksOf(def).flatMap((c) => (c.format && FORMAT_WORDS[c.format] ? [FORMAT_WORDS[c.format](c)] : []));
  return words.length ? `string (${words.join(', ')})` : 'string';
};

const isInteger = (def: Def): boolean => checksOf(def).some((c) => c.format === 'safeint' || c.format === 'int32' || c.format === 'uint32');

/** The type of values a schema takes, as a reader says it: `string (URL)`, `list of number`, `mainnet | testnet`. */
export const typeWords = (schema: z.ZodType): string => {
  if (schema === booleanSchema) return 'boolean (true/false, yes/no, on/off, 1/0)';
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
      return typeWords(def.innerType!);
    case 'pipe': {
      // a transform (a boolean spelt yes/no, a coerced number) reads as what comes out, unless that is any value
      const out = def.out && defOf(def.out).type !== 'transform' ? typeWords(def.out) : undefined;
      return out ?? typeWords(def.in!);
    }
    case 'enum':
      return Object.values(def.entries ?? {}).join(' | ');
    case 'literal':
      return (def.values ?? []).map((v) => JSON.stringify(v)).join(' | ');
    case 'array':
      return `list of ${typeWords(def.element!)}`;
    case 'record':
      return 'mapping';
    case 'object':
      return 'mapping';
    case 'union': {
      const parts = [...new Set((def.options ?? []).map(typeWords))];
      return parts.join(' or ');
    }
    case 'string':
      return stringWords(def);
    case 'number':
      return isInteger(def) ? 'integer' : 'number';
    default:
      return def.type;
  }
};
