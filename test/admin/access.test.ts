// Walks EVERY back-office route (screens and /api/admin) as anonymous, an organizer of another
// campaign, the campaign's organizer and an admin. The route list comes from the app itself, so a
// new route is walked without anyone remembering to add it here.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build } from '../helper.js'
import { addUser, signIn, type Browser } from './helper.js'
import { createApiToken } from '../../src/admin/api.js'

type Actor = 'anonymous' | 'otherOrganizer' | 'organizer' | 'admin'
type Scope = 'public' | 'self' | 'campaign' | 'picket' | 'adminOnly'

const PUBLIC = new Set(['GET /admin/login', 'POST /admin/login', 'POST /admin/logout', 'GET /admin/invitations/:token', 'POST /admin/invitations/:token', 'GET /admin/setup', 'POST /admin/setup'])
const ADMIN_ONLY = [/^\/admin\/users/, /^\/admin\/mail/, /^\/admin\/audit/, /^\/admin\/supporters/, /^\/admin\/campaigns\/new$/, /^\/(api\/)?admin\/email-changes/, /\/targets\/:targetId\/email\/(approve|reject)$/]
const ADMIN_ONLY_EXACT = new Set(['POST /admin/campaigns', 'POST /api/admin/campaigns'])

function scopeOf(method: string, url: string): Scope {
  if (PUBLIC.has(`${method} ${url}`)) return 'public'
  if (ADMIN_ONLY_EXACT.has(`${method} ${url}`) || ADMIN_ONLY.some((r) => r.test(url))) return 'adminOnly'
  if (/\/campaigns\/:id(\/|$)/.test(url)) return 'campaign'
  if (/\/pickets\/:id(\/|$)/.test(url)) return 'picket'
  return 'self'
}

/** Is this actor allowed in? (Then the answer must not be a 401/403/404, nor a redirect to sign in.) */
function allowed(actor: Actor, scope: Scope): boolean {
  if (scope === 'public') return true
  if (actor === 'anonymous') return false
  if (actor === 'admin') return true
  if (scope === 'adminOnly') return false
  if (scope === 'self') return true
  return actor === 'organizer'
}

t.test('every back-office route checks the role and the campaign', async (t) => {
  const app = await build(t)
  const sqlite = app.db.$client
  const other = Number(sqlite.prepare(`insert into campaigns (slug, title, goal, status, languages, created_at, updated_at) values ('other', 'Other campaign', 100, 'live', '["en"]', 0, 0)`).run().lastInsertRowid)
  const users = {
    admin: await addUser(app, 'admin@example.org', 'admin'),
    organizer: await addUser(app, 'organizer@example.org', 'organizer', [1]),
    otherOrganizer: await addUser(app, 'other@example.org', 'organizer', [other]),
  }
  const browsers: Record<Exclude<Actor, 'anonymous'>, Browser> = {
    admin: await signIn(app, 'admin@example.org'),
    organizer: await signIn(app, 'organizer@example.org'),
    otherOrganizer: await signIn(app, 'other@example.org'),
  }
  const tokens = Object.fromEntries(Object.entries(users).map(([k, u]) => [k, createApiToken(app.db, u.id, 'access test', app.clock()).token])) as Record<Exclude<Actor, 'anonymous'>, string>
  const picketId = 1

  // Fresh fixtures per request, so a delete by one actor does not turn the next one's answer into a 404.
  const fixtures: Record<string, (actor: Actor) => string> = {
    id: () => '1',
    language: () => 'en',
    token: () => 'not-a-real-token',
    rsvpId: () => String(sqlite.prepare(`insert into rsvps (picket_id, token, name, email, email_normalized, status, created_at) values (?, lower(hex(randomblob(16))), 'R', ?, ?, 'going', 0)`).run(picketId, `r${Math.random()}@example.org`, `r${Math.random()}@example.org`).lastInsertRowid),
    reportId: () => String(sqlite.prepare(`insert into offline_letters (campaign_id, count, date, group_name, country, created_at, updated_at) values (1, 1, '2026-11-01', 'G', 'GB', 0, 0)`).run().lastInsertRowid),
    // A person with a photo, so the back office's view of it answers for those let in.
    personId: () => {
      const id = sqlite.prepare(`insert into campaign_people (campaign_id, name, status) values (1, 'P', 'jailed')`).run().lastInsertRowid
      sqlite.prepare(`insert into person_photos (person_id, content_type, bytes, width, height, alt, updated_at) values (?, 'image/webp', x'00', 1, 1, '', 0)`).run(id)
      return String(id)
    },
    targetId: () => String(sqlite.prepare(`insert into targets (campaign_id, name, country, email, language, created_at, updated_at) values (1, 'T', 'KZ', ?, 'ru', 0, 0)`).run(`t${Math.random()}@example.org`).lastInsertRowid),
    outboxId: () => String(sqlite.prepare(`insert into outbox (kind, recipient, message, status, attempts, next_attempt_at, created_at, last_error) values ('test', 'x@example.org', '{}', 'failed', 3, 0, 0, 'boom')`).run().lastInsertRowid),
    userId: () => String(sqlite.prepare(`insert into users (email, role, created_at, updated_at) values (?, 'organizer', 0, 0)`).run(`u${Math.random()}@example.org`).lastInsertRowid),
    // A fresh draft: publishing and mailing consume one.
    updateId: () => String(sqlite.prepare(`insert into updates (campaign_id, language, title, body, status, created_at, updated_at) values (1, 'en', 'U', 'B', 'draft', 0, 0)`).run().lastInsertRowid),
    tokenId: (actor) => String(createApiToken(app.db, actor === 'anonymous' ? users.organizer.id : users[actor].id, 'fixture', app.clock()).id),
  }

  const routes = app.routeList
    .filter((r) => (r.url.startsWith('/admin') || r.url.startsWith('/api/admin')) && !r.url.includes('*'))
    // Signing out would end the walk for that actor; test/admin/login.test.ts covers it.
    .filter((r) => !(r.method === 'POST' && r.url === '/admin/logout'))
    .filter((r, i, all) => all.findIndex((o) => o.method === r.method && o.url === r.url) === i)
  t.ok(routes.length >= 80, `${routes.length} back-office routes found`)

  const fill = (url: string, actor: Actor) =>
    url.replace(/:(\w+)/g, (_m, name: string) => {
      const make = fixtures[name]
      if (!make) throw new Error(`no fixture for :${name} in ${url}: add one to this test`)
      return make(actor)
    })

  async function call(app: FastifyInstance, actor: Actor, method: string, url: string) {
    const api = url.startsWith('/api/')
    if (api) {
      const headers: Record<string, string> = actor === 'anonymous' ? {} : { authorization: `Bearer ${tokens[actor]}` }
      const payload = method === 'GET' ? undefined : {}
      if (payload) headers['content-type'] = 'application/json'
      return app.inject({ method: method as 'GET', url, headers, payload })
    }
    if (actor === 'anonymous') return app.inject({ method: method as 'GET', url })
    return method === 'GET' ? browsers[actor].get(url) : browsers[actor].post(url, {})
  }

  for (const route of routes) {
    const scope = scopeOf(route.method, route.url)
    for (const actor of ['anonymous', 'otherOrganizer', 'organizer', 'admin'] as Actor[]) {
      const url = fill(route.url, actor)
      const res = await call(app, actor, route.method, url)
      const label = `${route.method} ${route.url} as ${actor} (${scope}) → ${res.statusCode}`
      t.ok(res.statusCode < 500, label)
      if (scope === 'public') continue
      const signInRedirect = res.statusCode === 303 && String(res.headers.location).startsWith('/admin/login')
      if (allowed(actor, scope)) t.ok(![401, 403, 404].includes(res.statusCode) && !signInRedirect, `${label}: let in`)
      else if (actor === 'anonymous') t.ok(signInRedirect || res.statusCode === 401 || res.statusCode === 403, `${label}: asked to sign in`)
      // The API's admin-only operations are in its public document: an organizer's token hears 403; screens and others' campaigns stay 404.
      else if (scope === 'adminOnly' && url.startsWith('/api/')) t.equal(res.statusCode, 403, `${label}: forbidden to them`)
      else t.equal(res.statusCode, 404, `${label}: not found for them`)
    }
  }
})
