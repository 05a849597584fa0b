/**
 * The tag rule. `span-tags` sends one string of comma-separated `key:value` tags. Nothing a guest
 * sends is dropped and nothing crashes:
 *
 * | part            | becomes                                                    |
 * |-----------------|------------------------------------------------------------|
 * | `key:value`     | `key` = `"value"`                                          |
 * | `a:b:c`         | `a` = `"b:c"` (split at the first colon only)              |
 * | `no-colon`      | `no-colon` = `""` (a tag with no value, as Datadog has)   |
 * | `:value`        | `tag` = `"value"` (an empty key is named `tag`)            |
 * | `` (empty part) | nothing: `a:1,,b:2` and a trailing comma are just spacing |
 *
 * Keys and values are trimmed of surrounding spaces. A key given twice (in one call or across
 * calls on the same span) keeps every value, as a string array in the order sent. Limits keep a
 * span bounded: 128 values per key and 128 keys per span (the OpenTelemetry defaults); tags past
 * them are counted in the span's `droppedAttributesCount`.
 */
export type Tag = readonly [key: string, value: string];

export const EMPTY_KEY = 'tag';

export function parseTags(text: string): Tag[] {
  const tags: Tag[] = [];
  for (const part of text.split(',')) {
    const trimmed = part.trim();
    if (trimmed === '') continue;
    const colon = trimmed.indexOf(':');
    const key = colon < 0 ? trimmed : trimmed.slice(0, colon).trim();
    const value = colon < 0 ? '' : trimmed.slice(colon + 1).trim();
    tags.push([key === '' ? EMPTY_KEY : key, value]);
  }
  return tags;
}

/** A tag as statsd and Datadog write it: `key:value`, or `key` alone for a tag without value. */
export function tagText([key, value]: Tag): string {
  return value === '' ? key : `${key}:${value}`;
}

/** Values kept for one repeated key; more are dropped and counted (a guest may loop forever). */
export const MAX_TAG_VALUES = 128;

/**
 * Adds a tag to an attribute map, turning a repeated key into an array of its values. Returns
 * false when the key already holds {@link MAX_TAG_VALUES} values and the tag was dropped.
 *
 * Guest text is the key, so a key may be any `Object.prototype` name: only own properties count
 * as present, and `__proto__` is defined as a plain property instead of going through the
 * prototype setter. The map may be a plain or a null-prototype object.
 */
export function addTag(attributes: Record<string, unknown>, [key, value]: Tag): boolean {
  const existing = Object.hasOwn(attributes, key) ? attributes[key] : undefined;
  if (existing === undefined) setOwn(attributes, key, value);
  else if (!Array.isArray(existing)) setOwn(attributes, key, [String(existing), value]);
  else if (existing.length < MAX_TAG_VALUES) existing.push(value);
  else return false;
  return true;
}

/** An attribute map no guest key can confuse with a prototype member. */
export function attributeMap<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** `map[key] = value`, safe for every key including `__proto__`. */
function setOwn(map: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
  else map[key] = value;
}
