import t from 'tap'
import { build } from '../helper.js'

t.test('the organizers API is described with OpenAPI at /api/docs', async (t) => {
  const app = await build(t)
  const ui = await app.inject('/api/docs')
  t.ok([200, 302].includes(ui.statusCode), `docs answer (${ui.statusCode})`)
  const spec = await app.inject('/api/docs/json')
  t.equal(spec.statusCode, 200)
  const doc = spec.json()
  t.match(doc, { openapi: /^3\.1/, info: { title: 'Outcry API' } })
  t.ok(Object.keys(doc.paths).every((p: string) => p.startsWith('/api/')), 'only the APIs are documented, not the pages')
  t.ok(Object.keys(doc.paths).some((p: string) => p.startsWith('/api/campaigns/')), 'the public API is documented')
  t.same(doc.paths['/api/campaigns/{slug}'].get.security, [], 'the public API needs no token')
})

t.test('the API needs a bearer token', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/api/admin/me' })
  t.equal(res.statusCode, 401)
  t.match(res.headers['www-authenticate'], 'Bearer')
  t.match(res.json(), { error: /API token/ })
  const bad = await app.inject({ method: 'GET', url: '/api/admin/me', headers: { authorization: 'Bearer oc_' + 'x'.repeat(43) } })
  t.equal(bad.statusCode, 401)
})

t.test('a token answers as its user, and stops working when revoked', async (t) => {
  const { addUser } = await import('./helper.js')
  const { createApiToken, revokeApiToken } = await import('../../src/admin/api.js')
  const app = await build(t)
  const user = await addUser(app, 'org@example.org', 'organizer', [1])
  const { id, token } = createApiToken(app.db, user.id, 'script', app.clock())
  const me = await app.inject({ url: '/api/admin/me', headers: { authorization: `Bearer ${token}` } })
  t.equal(me.statusCode, 200)
  t.same(me.json(), { id: user.id, email: 'org@example.org', role: 'organizer', campaignIds: [1] })
  t.ok(revokeApiToken(app.db, user.id, id, app.clock()))
  t.equal((await app.inject({ url: '/api/admin/me', headers: { authorization: `Bearer ${token}` } })).statusCode, 401)
})
