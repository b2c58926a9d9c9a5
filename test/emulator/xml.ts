/** Values the query protocol serializes: objects become elements, arrays become `<member>` lists. */
export type XmlValue =
  | string
  | number
  | boolean
  | Date
  | undefined
  | readonly XmlValue[]
  | { readonly [element: string]: XmlValue };

export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/** AWS query services write timestamps as ISO 8601 without milliseconds. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function toXml(value: XmlValue): string {
  if (value === undefined) return '';
  if (value instanceof Date) return isoSeconds(value);
  if (Array.isArray(value)) return value.map((item) => element('member', item)).join('');
  if (typeof value === 'object') {
    return Object.entries(value)
      .map(([name, child]) => (child === undefined ? '' : element(name, child)))
      .join('');
  }
  return escapeXml(String(value));
}

export function element(name: string, value: XmlValue, attributes = ''): string {
  return `<${name}${attributes}>${toXml(value)}</${name}>`;
}
