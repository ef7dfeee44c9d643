// Hostile values for the fuzz suite (test/fuzz/fuzz.test.ts).
import fc from 'fast-check'

/** Field names the forms and the JSON API use (from templates/ and the zod schemas), plus a few traps. */
export const FIELD_NAMES = [
  'address', 'body', 'bring', 'campaign', 'campaigns', 'capacity', 'checkedIn', 'city', 'confirm', 'confirmLetters', 'consent',
  'contact', 'copy', 'count', 'country', 'csv', 'date', 'detail', 'disabled', 'email', 'endsLocal', 'goal', 'group', 'intent',
  'language', 'languages', 'name', 'next', 'note', 'notes', 'organisation', 'password', 'postalAddress', 'q', 'reminders', 'role',
  'slug', 'startsLocal', 'status', 'statusChangedOn', 'story', 'subject', 'summary', 'target', 'targetId', 'targets', 'timeZone',
  'title', 'venue', 'website', 'rows', 'by', 'bom',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', 'a[b]', 'a.b', 'name[]',
]

/** Query keys the GET handlers read, plus random ones. */
export const QUERY_KEYS = [
  'next', 'saved', 'notified', 'q', 'email', 'status', 'created', 'updated', 'imported', 'invited', 'reinvited', 'before',
  'campaign', 'bom', 'by', 'added', 'deleted', 'confirmed', 'lang', 'page', 'limit', 'offset', '__proto__', 'constructor',
]

const LONE_SURROGATES = ['\uD800', '\uDBFF', '\uDC00', '\uDFFF', 'a\uD83Db', '\uDE00\uD83D']
const CONTROL = ['\u0000', '\u0007', '\b', '\r\n', '\r', '\u001b[31m', '\u007f', '\u0085', '\u2028', '\u2029', '\u202e', '\ufeff', '\ufffe', '\t\v\f']
const NUMBERISH = ['0', '-0', '-1', '1', '12', '123', 'abc', 'A1', '1e309', '-1e309', 'NaN', 'Infinity', '-Infinity', '9007199254740993', '99999999999999999999999', '1.5', '0x10', '0b1', '1_000', ' 7 ', '+3', '٣', '１']
const TRAPS = [
  '', ' ', "' OR 1=1 --", '"; drop table letters; --', '<script>alert(1)</script>', '{{constructor.constructor}}', '{{{body}}}', '${process.env}',
  '__proto__', 'constructor', '../../etc/passwd', '%00', '%', '%zz', 'null', 'undefined', 'true', 'false', '[]', '{}',
  '2026-02-30', '2026-13-01', '9999-12-31T25:61', '0000-00-00', '2026-12-01T10:00', 'Europe/Nowhere', 'UTC', 'xx', 'ZZ', 'en', 'ru',
  'a@b', '@', 'x@example.com', `${'a'.repeat(300)}@example.com`, 'admin', 'organizer', 'live', 'draft', 'closed', 'going', 'cancelled',
  'javascript:alert(1)', '//evil.example', 'https://evil.example/', '\\\\evil', 'name,email\n"unterminated', '=cmd|\' /C calc\'!A0',
]

/** A string that tries hard to be unpleasant. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...TRAPS, ...NUMBERISH), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 3 },
  { arbitrary: fc.array(fc.constantFrom(...LONE_SURROGATES, ...CONTROL, 'a', 'é', '😀', ' '), { maxLength: 12 }).map((a) => a.join('')), weight: 3 },
  { arbitrary: fc.tuple(fc.constantFrom('a', 'é', '😀', '\u0000', '\uD800', 'x@', ' '), fc.integer({ min: 1_000, max: 120_000 })).map(([c, n]) => c.repeat(n)), weight: 1 },
  { arbitrary: fc.integer().map(String), weight: 1 },
  { arbitrary: fc.double().map(String), weight: 1 },
)

/** JSON values: scalars of every type, arrays where scalars are expected, nested objects. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    fc.integer(),
    fc.constantFrom(0, -1, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 1.5, true, false, null),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...FIELD_NAMES), fc.string({ maxLength: 8 })), tie('value'), { maxKeys: 4 }),
  ),
})).value

/** A form field value: a string, or an array (repeated key) where a scalar is expected. */
export const formValue: fc.Arbitrary<string | string[]> = fc.oneof(
  { arbitrary: hostileString, weight: 4 },
  { arbitrary: fc.array(hostileString, { minLength: 2, maxLength: 4 }), weight: 1 },
)

export const fieldName = fc.oneof({ arbitrary: fc.constantFrom(...FIELD_NAMES), weight: 5 }, { arbitrary: fc.string({ maxLength: 10 }), weight: 1 })

/** Percent-encodes as UTF-8 without throwing on lone surrogates (encodeURIComponent would throw). */
export function enc(s: string): string {
  return Buffer.from(s, 'utf8')
    .toString('binary')
    .replace(/[^A-Za-z0-9\-_.~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'))
}

/** A path segment: percent-encoded hostile text, or a raw sequence the router has to cope with. */
export const pathSegment: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: hostileString.filter((s) => s.length < 5_000).map(enc), weight: 4 },
  { arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '%ED%A0%80', '%FF%FE', '%00', '%2F', '..', '.', '%2e%2e', ';', '1;x=2', '1%0A', '0', '-1', '1.0', '1e3', '0x1', '99999999999999999999', '%20%31'), weight: 3 },
)

/** Raw query string (without the '?'): known and random keys, repeated keys, hostile values, malformed escapes. */
export const queryString: fc.Arbitrary<string> = fc.oneof(
  fc.array(
    fc.tuple(fc.oneof(fc.constantFrom(...QUERY_KEYS), fc.string({ maxLength: 6 })), fc.oneof(hostileString.filter((s) => s.length < 3_000), fc.constant(''))),
    { maxLength: 5 },
  ).map((pairs) => pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&')),
  fc.constantFrom('%', 'a=%zz', 'a=%ED%A0%80', '&&&', '=', 'bom', 'bom=1&bom=yes', 'q[]=1&q[x]=2', 'status=going&status=cancelled', 'next=//evil.example', 'next=%2F%2Fevil', 'by=country', 'by[]=official'),
)
