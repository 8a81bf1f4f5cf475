/*
 * S3's XML, both ways, through fast-xml-parser. Values stay text when parsed (a key "007" must
 * not become the number 7), and the elements S3 repeats are always arrays, so a one-element
 * list reads the same as a long one.
 *
 * Keys are data: any character may be in one, and every body written here must still parse.
 * Text is escaped here, not by the builder (which knows only & < > ' "): a character XML 1.0
 * cannot hold as it is (controls, U+FFFE, U+FFFF) becomes a numeric character reference, as
 * S3 writes them (`&#x1;`), and so does CR, which parsers would otherwise turn into LF.
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { S3Error, type S3ErrorResponse } from './errors.js';

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

const REPEATED = new Set([
  'Part',
  'Object',
  'Rule',
  'Transition',
  'NoncurrentVersionTransition',
  'TopicConfiguration',
  'QueueConfiguration',
  'CloudFunctionConfiguration',
  'LambdaFunctionConfiguration',
  'Event',
  'FilterRule',
  'Tag',
  'CORSRule',
  'AllowedOrigin',
  'AllowedMethod',
  'AllowedHeader',
  'ExposeHeader',
]);

/*
 * Element text is data (`<Key> lead</Key>` names the key " lead"), so nothing is trimmed: the
 * whitespace between elements lands in `#text` properties nobody reads. Entities are decoded
 * here rather than by the parser, which drops numeric character references it does not know
 * (`&#x1;`) and leaves others (`&#13;`) as written.
 */
const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  tagValueProcessor: (_name, value) => decodeEntities(value),
  ignoreDeclaration: true,
  isArray: (name) => REPEATED.has(name),
});

const XML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

function decodeEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z]+);/g, (reference, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw new S3Error('MalformedXML', `The XML you provided holds an invalid character reference ${reference}.`);
      return String.fromCodePoint(code);
    }
    const decoded = XML_ENTITIES[name];
    if (decoded === undefined) throw new S3Error('MalformedXML', `The XML you provided uses an undefined entity ${reference}.`);
    return decoded;
  });
}

/** Characters outside XML 1.0's Char production, and CR (end-of-line handling would rewrite it). */
const NOT_LITERAL_XML = /[^\t\n\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const MARKUP = /[&<>"']/g;
const MARKUP_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text as XML character data that reads back as exactly `value`. */
export function escapeXmlText(value: string): string {
  return value.replace(MARKUP, (c) => MARKUP_ENTITIES[c] ?? c).replace(NOT_LITERAL_XML, (c) => `&#x${(c.codePointAt(0) ?? 0).toString(16).toUpperCase()};`);
}

const escapeValue = (_name: string, value: unknown): string => escapeXmlText(String(value));

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
  format: false,
  processEntities: false,
  tagValueProcessor: escapeValue,
  attributeValueProcessor: escapeValue,
});

/** A parsed element: text, or named children (repeated ones as arrays). */
export type XmlNode = string | { [name: string]: XmlNode | XmlNode[] | undefined };

// A request body of S3 XML (lifecycle rules, a 1000-key delete, 10,000 parts) is far below this.
export const MAX_XML_BYTES = 2 * 1024 * 1024;

export function parseXml(text: string): Record<string, XmlNode | undefined> {
  if (text.trim() === '') throw new S3Error('MalformedXML', 'The XML you provided was empty.');
  let parsed: unknown;
  try {
    parsed = parser.parse(text, true);
  } catch {
    throw new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
  }
  if (typeof parsed !== 'object' || parsed === null) throw new S3Error('MalformedXML', 'The XML you provided was not well-formed.');
  return parsed as Record<string, XmlNode | undefined>;
}

/** The child element, or undefined; throws MalformedXML when it is not an element. */
export function child(node: XmlNode | XmlNode[] | undefined, name: string): XmlNode | XmlNode[] | undefined {
  // An element holding only whitespace (`<Filter>\n</Filter>`) has no children.
  if (node === undefined || (typeof node === 'string' && node.trim() === '')) return undefined;
  if (typeof node === 'string' || Array.isArray(node)) throw new S3Error('MalformedXML', `expected <${name}> inside an element`);
  return node[name];
}

export function children(node: XmlNode | XmlNode[] | undefined, name: string): XmlNode[] {
  const value = child(node, name);
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function text(node: XmlNode | XmlNode[] | undefined, name: string): string | undefined {
  const value = child(node, name);
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new S3Error('MalformedXML', `<${name}> must hold text`);
  return value;
}

/**
 * The text of an element that holds a name, number or flag rather than data (Status, Days,
 * PartNumber, ETag, Quiet): whitespace around it means nothing. Keys, prefixes and values
 * are read with text(), as they are.
 */
export function token(node: XmlNode | XmlNode[] | undefined, name: string): string | undefined {
  return text(node, name)?.trim();
}

/** A document with S3's namespace on the root element (not on <Error>: S3 sends none, and botocore then finds no <Code>). */
export function xmlDocument(root: Record<string, unknown>, namespace = true): string {
  const [name, body] = Object.entries(root)[0] ?? ['Empty', {}];
  const element = namespace && typeof body === 'object' && body !== null ? { '@_xmlns': S3_NAMESPACE, ...body } : body;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [name]: element }) as string}`;
}

export function errorXml(error: S3ErrorResponse, resource: string, requestId: string): string {
  return xmlDocument({ Error: { Code: error.code, Message: visibleText(error.message), Resource: resourceUri(resource), RequestId: requestId } }, false);
}

/*
 * An error body must parse everywhere, strict parsers such as expat (botocore's) included,
 * which refuse `&#x0;`. What XML 1.0 cannot hold is written another way there: in the resource,
 * a URI path, percent-encoded (`%00`); in the message, which may quote a request value, as `\u0000`.
 */
function visibleText(message: string): string {
  return message.replace(NOT_LITERAL_XML, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`);
}

function resourceUri(resource: string): string {
  return resource.replace(NOT_LITERAL_XML, (c) => [...Buffer.from(c, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
}
