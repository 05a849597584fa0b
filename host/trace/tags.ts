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
 * calls on the same span) keeps every value, as a string array in the order sent.
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

/** Adds a tag to an attribute map, turning a repeated key into an array of its values. */
export function addTag(attributes: Record<string, unknown>, [key, value]: Tag): void {
  const existing = attributes[key];
  if (existing === undefined) attributes[key] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else attributes[key] = [String(existing), value];
}
