// Property-based fuzzing of EVERY public and back-office route (issue 6, "Bad input").
// The route list comes from the app itself, so a new route is fuzzed without anyone remembering to add it.
// For each route, fast-check builds requests with hostile path params, query strings and bodies (long strings,
// control characters, lone surrogates, numbers as strings, arrays for scalars, nested objects, bodies over the
// 256 KB limit, wrong content types, malformed JSON, invalid UTF-8) and checks:
//   - the status is never 5xx, and the body never carries a stack trace;
//   - a rejected request (4xx) leaves the database as it was.
// FUZZ_RUNS (default 4) sets the cases per route; `npm run fuzz:long` runs 200. FUZZ_SEED replays a run.
import t from 'tap'
import fc from 'fast-check'
import crypto from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { build, formSession, tableCount } from '../helper.js'
import { addUser, signIn, type Browser } from '../admin/helper.js'
import { createApiToken } from '../../src/admin/api.js'
import { enc, fieldName, formValue, hostileJson, hostileString, pathSegment, queryString } from './arbitraries.js'

const RUNS = Number(process.env.FUZZ_RUNS ?? 4)
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED)
const BODY_LIMIT = 256 * 1024

const SKIP = [/^\/dev\/mailbox/, /^\/api\/docs/, /^\/assets/]
const STACK = /at .+\(.+:\d+:\d+\)/

/** Cheap fingerprint of everything a request could write. Login entries in the audit log are not input-driven state. */
const FINGERPRINT: [string, string?][] = [
  ['letters'], ['outbox'], ['rsvps'], ['pickets'], ['targets'], ['campaigns'], ['offline_letters'], ['users'],
  ['audit_log', "action not like '%login%'"], ['letter_templates'], ['campaign_people'], ['campaign_organizers'], ['invitations'], ['api_tokens', 'revoked_at is null'],
]
function fingerprint(app: FastifyInstance): string {
  return FINGERPRINT.map(([table, where]) => `${table}=${tableCount(app, table, where)}`).join(' ')
}

type Kind = 'public' | 'admin' | 'api'
interface Req {
  method: string
  /** Path with `{{name}}` placeholders for fixtures, filled when the request is sent. */
  path: string
  query: string
  body?: { type: string | undefined; payload: string | Buffer; csrf: 'field' | 'header' | 'none' }
}

function kindOf(url: string): Kind {
  if (url.startsWith('/api/admin')) return 'api'
  if (url.startsWith('/admin')) return 'admin'
  return 'public'
}

/** Builds a urlencoded body; repeated keys for arrays. Lone surrogates become U+FFFD, as in a browser. */
function urlencoded(pairs: [string, string | string[]][], csrf?: string): string {
  const body = new URLSearchParams()
  if (csrf !== undefined) body.append('_csrf', csrf)
  for (const [k, v] of pairs) for (const item of Array.isArray(v) ? v : [v]) body.append(k, item)
  return body.toString()
}

const JSON_TYPE = 'application/json'
const FORM_TYPE = 'application/x-www-form-urlencoded'

function bodyArb(kind: Kind): fc.Arbitrary<NonNullable<Req['body']>> {
  const csrf = fc.constantFrom<'field' | 'header' | 'none'>('field', 'field', 'field', 'header', 'header', 'none')
  const pairs = fc.array(fc.tuple(fieldName, formValue), { maxLength: 8 })
  const form = fc.record({ type: fc.constant(FORM_TYPE), payload: pairs.map((p) => urlencoded(p)), csrf })
  const json = fc.record({
    type: fc.constantFrom(JSON_TYPE, 'application/json; charset=utf-8', 'Application/JSON'),
    payload: fc.oneof(
      { arbitrary: fc.dictionary(fieldName, hostileJson, { maxKeys: 8 }), weight: 4 },
      { arbitrary: hostileJson, weight: 1 },
    ).map((v) => JSON.stringify(v) ?? 'null'),
    csrf,
  })
  const malformed = fc.record({
    type: fc.constant(JSON_TYPE),
    payload: fc.constantFrom('{', '{"a":', "{'a':1}", '[1,]', 'NaN', '\u0000', '{"a":1}garbage', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}', '', ' ', '"\\ud800"', '1e999999', '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]'),
    csrf,
  })
  const wrongType = fc.record({
    type: fc.constantFrom(
      'text/plain', 'application/xml', 'multipart/form-data', 'multipart/form-data; boundary=x', 'application/octet-stream',
      'application/json; charset=latin1', 'application/x-www-form-urlencoded; charset=utf-16', 'application/jsonx', 'text/csv',
      '', 'garbage', 'application/json, text/html', undefined,
    ),
    payload: fc.oneof(hostileString.filter((s) => s.length < 10_000), fc.constant('name=x&email=y'), fc.constant('{"name":"x"}')),
    csrf,
  })
  const huge = fc.record({
    type: fc.constantFrom(JSON_TYPE, FORM_TYPE, 'text/plain'),
    size: fc.integer({ min: BODY_LIMIT + 1, max: BODY_LIMIT * 3 }),
    csrf,
  }).map(({ type, size, csrf }) => ({
    type,
    csrf,
    payload: type === JSON_TYPE ? JSON.stringify({ name: 'x'.repeat(size) }) : urlencoded([['name', 'x'.repeat(size)]]),
  }))
  const badUtf8 = fc.record({
    type: fc.constantFrom(JSON_TYPE, FORM_TYPE),
    csrf,
    bytes: fc.constantFrom([0xff, 0xfe], [0xc3], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf]),
  }).map(({ type, csrf, bytes }) => ({
    type,
    csrf,
    payload: Buffer.concat([Buffer.from(type === JSON_TYPE ? '{"name":"' : 'name='), Buffer.from(bytes), Buffer.from(type === JSON_TYPE ? '"}' : '')]),
  }))
  const main = kind === 'public' || kind === 'admin' ? form : json
  return fc.oneof(
    { arbitrary: main, weight: 6 },
    { arbitrary: kind === 'api' ? form : json, weight: 2 },
    { arbitrary: malformed, weight: 2 },
    { arbitrary: wrongType, weight: 2 },
    { arbitrary: huge, weight: 1 },
    { arbitrary: badUtf8, weight: 1 },
  )
}

function reqArb(route: { method: string; url: string }): fc.Arbitrary<Req> {
  const names = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]!)
  const params = fc.tuple(...names.map((name) => fc.oneof({ arbitrary: fc.constant(`{{${name}}}`), weight: 3 }, { arbitrary: pathSegment, weight: 2 })))
  const path = params.map((values) => {
    let i = 0
    return route.url.replace(/:(\w+)/g, () => values[i++]!)
  })
  const query = fc.oneof({ arbitrary: fc.constant(''), weight: 1 }, { arbitrary: queryString, weight: 3 })
  const body = route.method === 'GET' || route.method === 'DELETE' ? fc.constant(undefined) : bodyArb(kindOf(route.url))
  return fc.record({ method: fc.constant(route.method), path, query, body })
}

/** Minimised failures found by longer runs, replayed on every run so `npm test` fails until they are fixed. */
const REGRESSIONS: Record<string, Req[]> = {
  // 500: a country that is not a region subtag reaches Intl.DisplayNames#of (RangeError) when the form is re-rendered.
  'POST /campaigns/:slug/letters': [
    { method: 'POST', path: '/campaigns/{{slug}}/letters', query: '', body: { type: FORM_TYPE, payload: 'country=%00', csrf: 'field' } },
    { method: 'POST', path: '/campaigns/{{slug}}/letters', query: '', body: { type: FORM_TYPE, payload: 'country=abc&intent=preview', csrf: 'field' } },
  ],
  'POST /campaigns/:slug/preview': [{ method: 'POST', path: '/campaigns/{{slug}}/preview', query: '', body: { type: FORM_TYPE, payload: 'country=abc', csrf: 'field' } }],
}

function describe(req: Req, url: string): string {
  const payload = req.body ? (Buffer.isBuffer(req.body.payload) ? `<bytes ${req.body.payload.toString('hex')}>` : req.body.payload.length > 300 ? `<${req.body.payload.length} chars> ${req.body.payload.slice(0, 120)}…` : JSON.stringify(req.body.payload)) : ''
  return `${req.method} ${url.length > 300 ? url.slice(0, 300) + '…' : url}${req.body ? ` [${req.body.type ?? 'no content-type'}, csrf in ${req.body.csrf}] ${payload}` : ''}`
}

t.test('no input gets a 5xx, a stack trace or a database change when rejected', async (t) => {
  const started = Date.now()
  const app = await build(t)
  const sqlite = app.db.$client
  // Users first, so ids the fuzzer guesses ('1', '0', '-1') never point at the admin or the token it works with.
  for (let i = 0; i < 3; i++) await addUser(app, `filler${i}@example.org`, 'organizer')
  const admin = await addUser(app, 'admin@example.org', 'admin')
  for (let i = 0; i < 3; i++) createApiToken(app.db, admin.id, `filler ${i}`, app.clock())
  let browser: Browser = await signIn(app, 'admin@example.org')
  const bearer = createApiToken(app.db, admin.id, 'fuzz', app.clock()).token
  const publicForm = await formSession(app, '/campaigns/zhanaozen')
  const picketId = 1
  const hex = () => crypto.randomBytes(16).toString('hex')

  // Valid values for path params; fresh rows where a request may consume them.
  const fixtures: Record<string, (route: string) => string> = {
    slug: () => 'zhanaozen',
    id: () => '1',
    language: () => 'en',
    token: (route) => (route.startsWith('/rsvps/') ? sqlite.prepare(`insert into rsvps (picket_id, token, name, email, email_normalized, status, created_at) values (?, ?, 'R', ?, ?, 'going', 0) returning token`).get(picketId, hex(), `r${hex()}@example.org`, `r${hex()}@example.org`) as { token: string } : { token: hex() }).token,
    rsvpId: () => String(sqlite.prepare(`insert into rsvps (picket_id, token, name, email, email_normalized, status, created_at) values (?, ?, 'R', ?, ?, 'going', 0)`).run(picketId, hex(), `r${hex()}@example.org`, `r${hex()}@example.org`).lastInsertRowid),
    reportId: () => String(sqlite.prepare(`insert into offline_letters (campaign_id, count, date, group_name, country, created_at, updated_at) values (1, 1, '2026-11-01', 'G', 'GB', 0, 0)`).run().lastInsertRowid),
    personId: () => String(sqlite.prepare(`insert into campaign_people (campaign_id, name, status) values (1, 'P', 'jailed')`).run().lastInsertRowid),
    targetId: () => String(sqlite.prepare(`insert into targets (campaign_id, name, country, email, language, created_at, updated_at) values (1, 'T', 'KZ', ?, 'ru', 0, 0)`).run(`t${hex()}@example.org`).lastInsertRowid),
    outboxId: () => String(sqlite.prepare(`insert into outbox (kind, recipient, message, status, attempts, next_attempt_at, created_at, last_error) values ('test', 'x@example.org', '{}', 'failed', 3, 0, 0, 'boom')`).run().lastInsertRowid),
    userId: () => String(sqlite.prepare(`insert into users (email, role, created_at, updated_at) values (?, 'organizer', 0, 0)`).run(`u${hex()}@example.org`).lastInsertRowid),
    // A fresh draft: publishing and mailing consume one.
    updateId: () => String(sqlite.prepare(`insert into updates (campaign_id, language, title, body, status, created_at, updated_at) values (1, 'en', 'U', 'B', 'draft', 0, 0)`).run().lastInsertRowid),
    tokenId: () => String(createApiToken(app.db, admin.id, 'fixture', app.clock()).id),
  }

  const routes = app.routeList
    .filter((r) => !SKIP.some((re) => re.test(r.url)) && !r.url.includes('*'))
    .filter((r, i, all) => all.findIndex((o) => o.method === r.method && o.url === r.url) === i)
  t.ok(routes.length >= 100, `${routes.length} routes to fuzz`)

  /** Fills fixtures (which insert rows) BEFORE the fingerprint is taken, then returns the request to send. */
  async function prepare(route: { url: string }, req: Req) {
    const kind = kindOf(route.url)
    const path = req.path.replace(/\{\{(\w+)\}\}/g, (_m, name: string) => {
      const make = fixtures[name]
      if (!make) throw new Error(`no fixture for :${name} in ${route.url}: add one to this test`)
      return enc(make(route.url))
    })
    const url = req.query ? `${path}?${req.query}` : path
    const headers: Record<string, string> = {}
    let payload: string | Buffer | undefined
    // Signing out must not end the walk for the routes after it: that route gets its own session.
    const logout = route.url === '/admin/logout'
    const session = kind === 'api' ? undefined : kind === 'admin' || logout ? (logout ? await signIn(app, 'admin@example.org') : browser) : publicForm
    if (kind === 'api') headers.authorization = `Bearer ${bearer}`
    if (session) headers.cookie = session.cookie
    if (req.body) {
      if (req.body.type !== undefined) headers['content-type'] = req.body.type
      payload = req.body.payload
      if (session && req.body.csrf === 'header') headers['x-csrf-token'] = session.token
      if (session && req.body.csrf === 'field' && typeof payload === 'string') {
        payload = req.body.type?.toLowerCase().includes('json') && payload.startsWith('{') && payload !== '{}' && payload.length > 1
          ? payload.replace(/^\{/, `{"_csrf":${JSON.stringify(session.token)},`).replace(/,\}$/, '}')
          : `_csrf=${encodeURIComponent(session.token)}&${payload}`
      }
    }
    return { url, inject: () => app.inject({ method: req.method as 'GET', url, headers, payload }) }
  }

  const failures: string[] = []
  for (const route of routes) {
    const label = `${route.method} ${route.url}`
    const statuses = new Map<number, number>()
    try {
      await fc.assert(
        fc.asyncProperty(reqArb(route), async (req) => {
          const { url, inject } = await prepare(route, req)
          const before = fingerprint(app)
          const res = await inject()
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
          const what = `${describe(req, url)} → ${res.statusCode} ${res.body.slice(0, 200)}`
          if (res.statusCode >= 500) throw new Error(`5xx: ${what}`)
          if (STACK.test(res.body) || res.body.includes('node_modules')) throw new Error(`stack trace leaked: ${what}`)
          if (res.statusCode >= 400) {
            const after = fingerprint(app)
            if (after !== before) throw new Error(`rejected but the database changed (${before} → ${after}): ${what}`)
          }
          // A sign-in redirect means the fuzzer lost its admin session (e.g. a random value disabled it): sign in again.
          if (kind(route) === 'admin' && res.statusCode === 303 && String(res.headers.location).startsWith('/admin/login')) browser = await signIn(app, 'admin@example.org')
        }),
        { numRuns: RUNS, seed: SEED, examples: (REGRESSIONS[label] ?? []).map((r) => [r] as [Req]), endOnFailure: false, interruptAfterTimeLimit: 60_000 },
      )
      t.pass(`${label}: ${[...statuses].map(([s, n]) => `${s}×${n}`).join(' ')}`)
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? `\n${err.cause.message}` : ''
      const message = (err instanceof Error ? err.message : String(err)) + cause
      failures.push(`${label}\n${message}`)
      t.fail(`${label}: ${message.slice(0, 4_000)}`)
    }
  }
  t.comment(`${routes.length} routes × ${RUNS} runs in ${((Date.now() - started) / 1000).toFixed(1)} s; ${failures.length} failing`)
})

function kind(route: { url: string }): Kind {
  return kindOf(route.url)
}
