import crypto from 'node:crypto'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import t from 'tap'
import { eq } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { build, tableCount, tempDir, TestClock } from '../helper.js'
import { addUser, signIn } from './helper.js'
import { apiTokens, auditLog, users } from '../../src/db/schema/index.js'
import { createApiToken } from '../../src/admin/api.js'

const TOKEN = /oc_[A-Za-z0-9_-]{43}/

/** Every value of every row of every table, to prove a secret is stored nowhere. */
function databaseContains(app: FastifyInstance, needle: string): string[] {
  const sqlite = app.db.$client
  const tables = sqlite.prepare(`select name from sqlite_master where type = 'table'`).all() as { name: string }[]
  return tables.filter(({ name }) => (sqlite.prepare(`select * from "${name}"`).all() as unknown[]).some((row) => JSON.stringify(row).includes(needle))).map((t) => t.name)
}

const me = (app: FastifyInstance, token: string) => app.inject({ url: '/api/admin/me', headers: { authorization: `Bearer ${token}` } })

t.test('a new token is shown once, on the response page, and stored only as a hash', async (t) => {
  const app = await build(t, { clock: new TestClock().now })
  const org = await addUser(app, 'org@example.org', 'organizer', [1])
  const browser = await signIn(app, 'org@example.org')

  const empty = await browser.get('/admin/tokens')
  t.equal(empty.statusCode, 200)
  t.match(empty.body, 'You have no tokens')

  const res = await browser.post('/admin/tokens', { name: 'Branch spreadsheet' })
  t.equal(res.statusCode, 201)
  t.equal(res.headers.location, undefined, 'not a redirect: the token is never in a URL')
  t.equal(res.headers['cache-control'], 'no-store')
  const token = TOKEN.exec(res.body)?.[0]
  t.ok(token, 'the token is on the page')
  t.match(res.body, 'shown only this once')

  const row = app.db.select().from(apiTokens).where(eq(apiTokens.userId, org.id)).get()!
  t.equal(row.tokenHash, crypto.createHash('sha256').update(token!).digest('hex'))
  t.equal(row.name, 'Branch spreadsheet')
  t.equal(row.prefix, token!.slice(0, 10))
  t.same(databaseContains(app, token!), [], 'the database never contains the token')
  t.same(databaseContains(app, token!.slice(10)), [], 'not even its secret part')

  const list = await browser.get('/admin/tokens')
  t.notMatch(list.body, token!, 'never shown again')
  t.match(list.body, 'Branch spreadsheet')
  t.match(list.body, `${row.prefix}…`)
  t.match(list.body, /never<\/td>\s*<td>2027-03-01 10:00 UTC<\/td>\s*<td>active/, 'the expiry: 90 days after creation')

  const answer = await me(app, token!)
  t.equal(answer.statusCode, 200)
  t.match(answer.json(), { email: 'org@example.org', role: 'organizer', campaignIds: [1] })
  t.notMatch((await browser.get('/admin/tokens')).body, /never<\/td>/, 'last use is shown')

  const audit = app.db.select().from(auditLog).where(eq(auditLog.action, 'token.create')).get()!
  t.match(audit, { userEmail: 'org@example.org', subject: `token:${row.id}`, detail: { name: 'Branch spreadsheet', prefix: row.prefix } })
})

t.test('a token needs a name', async (t) => {
  const app = await build(t)
  await addUser(app, 'org@example.org', 'organizer', [1])
  const browser = await signIn(app, 'org@example.org')
  for (const name of ['', '   ', 'x'.repeat(101), 'a\nb']) {
    const res = await browser.post('/admin/tokens', { name })
    t.equal(res.statusCode, 422, JSON.stringify(name))
    t.match(res.body, /<small id="name-error" class="field-error">/)
    t.notMatch(res.body, TOKEN)
  }
  t.equal((await browser.post('/admin/tokens', {})).statusCode, 422)
  t.equal(tableCount(app, 'api_tokens'), 0)
})

t.test('revoking: your own tokens; admins may revoke anyone’s', async (t) => {
  const app = await build(t)
  const admin = await addUser(app, 'admin@example.org', 'admin')
  const org = await addUser(app, 'org@example.org', 'organizer', [1])
  await addUser(app, 'other@example.org', 'organizer', [1])
  const orgBrowser = await signIn(app, 'org@example.org')
  const otherBrowser = await signIn(app, 'other@example.org')
  const adminBrowser = await signIn(app, 'admin@example.org')

  const mine = createApiToken(app.db, org.id, 'mine', app.clock())
  const second = createApiToken(app.db, org.id, 'second', app.clock())
  const adminsOwn = createApiToken(app.db, admin.id, 'admin tool', app.clock())

  // Someone else's token is "not found" for an organizer, and keeps working.
  t.equal((await otherBrowser.post(`/admin/tokens/${mine.id}/revoke`)).statusCode, 404)
  t.equal((await orgBrowser.post(`/admin/tokens/${adminsOwn.id}/revoke`)).statusCode, 404)
  t.equal((await me(app, mine.token)).statusCode, 200)
  t.notMatch((await otherBrowser.get('/admin/tokens')).body, 'mine', 'organizers see only their own')

  const res = await orgBrowser.post(`/admin/tokens/${mine.id}/revoke`)
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/admin/tokens')
  t.equal((await me(app, mine.token)).statusCode, 401, 'a revoked token stops working')
  t.match((await orgBrowser.get('/admin/tokens')).body, /mine[\s\S]*revoked/)
  t.equal((await orgBrowser.post(`/admin/tokens/${mine.id}/revoke`)).statusCode, 303, 'revoking twice is harmless')
  t.equal(tableCount(app, 'audit_log', "action = 'token.revoke'"), 1)

  // The admin sees everyone's tokens and may revoke them.
  const list = await adminBrowser.get('/admin/tokens')
  t.match(list.body, /Everyone else's tokens[\s\S]*org@example\.org[\s\S]*second/)
  t.equal((await adminBrowser.post(`/admin/tokens/${second.id}/revoke`)).statusCode, 303)
  t.equal((await me(app, second.token)).statusCode, 401)
  const entry = app.db.select().from(auditLog).where(eq(auditLog.subject, `token:${second.id}`)).get()!
  t.match(entry, { action: 'token.revoke', userEmail: 'admin@example.org', detail: { ownerId: org.id, name: 'second' } })
  t.equal((await me(app, adminsOwn.token)).statusCode, 200)

  t.equal((await adminBrowser.post('/admin/tokens/999/revoke')).statusCode, 404)
  t.equal((await adminBrowser.post('/admin/tokens/x/revoke')).statusCode, 404)
})

t.test('npm run token:create prints the new token alone on its last line', async (t) => {
  const dir = tempDir(t)
  const app = await build(t, { dir })
  const user = await addUser(app, 'org@example.org', 'organizer', [1])
  const invited = app.db.insert(users).values({ email: 'invited@example.org', role: 'organizer', createdAt: app.clock(), updatedAt: app.clock() }).returning().get()
  const disabled = await addUser(app, 'gone@example.org', 'organizer', [1])
  app.db.update(users).set({ disabledAt: app.clock() }).where(eq(users.id, disabled.id)).run()

  const env = { ...process.env, NODE_ENV: 'test', DATABASE_PATH: path.join(dir, 'outcry.db'), LOG_LEVEL: 'silent' }
  const run = (...args: string[]) => execFileSync('npx', ['tsx', 'src/cli/token-create.ts', ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

  const out = run('--email', 'Org@Example.org', '--name', 'nightly sync')
  const lines = out.trimEnd().split('\n')
  const token = lines[lines.length - 1]!
  t.match(token, new RegExp(`^${TOKEN.source}$`), 'the last line is the token and nothing else')
  t.ok(lines.length > 1, 'with a line of explanation before it')
  t.notMatch(lines.slice(0, -1).join('\n'), token)

  const answer = await me(app, token)
  t.equal(answer.statusCode, 200)
  t.match(answer.json(), { id: user.id, email: 'org@example.org' })
  const row = app.db.select().from(apiTokens).where(eq(apiTokens.userId, user.id)).get()!
  t.equal(row.name, 'nightly sync')
  t.same(databaseContains(app, token), [], 'stored hashed')
  t.match(app.db.select().from(auditLog).where(eq(auditLog.action, 'token.create_cli')).get(), { subject: `token:${row.id}`, detail: { userId: user.id } })

  const fails = (args: string[], status: number, message: RegExp) => {
    try {
      run(...args)
      t.fail(`${args.join(' ')} should fail`)
    } catch (err) {
      const e = err as { status: number; stderr: string; stdout: string }
      t.equal(e.status, status, args.join(' '))
      t.match(e.stderr, message)
      t.notMatch(e.stdout, TOKEN)
    }
  }
  fails(['--email', 'nobody@example.org'], 1, /No user nobody@example\.org/)
  fails(['--email', 'gone@example.org'], 1, /disabled/)
  fails(['--email', invited.email], 1, /not accepted their invitation/)
  fails([], 2, /Usage/)
  fails(['--email', 'org@example.org', '--days', '0'], 2, /--days: Give a number of days from 1 to 365/)
  fails(['--email', 'org@example.org', '--days', '366'], 2, /--days: A token can live at most 365 days/)
  fails(['--email', 'org@example.org', '--days', 'soon'], 2, /--days: Give a number of days/)
  t.equal(tableCount(app, 'api_tokens'), 1, 'no other token was made')
  const DAY = 86_400_000
  const defaultDays = app.db.select().from(apiTokens).where(eq(apiTokens.userId, user.id)).get()!
  t.equal(defaultDays.expiresAt!.getTime() - defaultDays.createdAt.getTime(), 90 * DAY, '90 days by default')
  t.match(out, /valid until \d{4}-\d\d-\d\d \d\d:\d\d UTC/)

  const week = run('--email', 'org@example.org', '--name', 'a week', '--days', '7').trimEnd().split('\n').pop()!
  t.equal((await me(app, week)).statusCode, 200)
  const weekRow = app.db.select().from(apiTokens).where(eq(apiTokens.name, 'a week')).get()!
  t.equal(weekRow.expiresAt!.getTime() - weekRow.createdAt.getTime(), 7 * DAY, '--days 7')
})

t.test('tokens expire: 90 days by default or as chosen on the screen; an expired token answers 401 like an invalid one', async (t) => {
  const clock = new TestClock()
  const app = await build(t, { clock: clock.now })
  const org = await addUser(app, 'org@example.org', 'organizer', [1])
  const browser = await signIn(app, 'org@example.org')
  const DAY = 86_400_000

  const page = await browser.get('/admin/tokens')
  t.match(page.body, /<select name="days"[^>]*>/)
  t.match(page.body, '<option value="90" selected>expires in 90 days (usual)</option>')

  const usual = TOKEN.exec((await browser.post('/admin/tokens', { name: 'usual' })).body)![0]
  const created = await browser.post('/admin/tokens', { name: 'a week', days: '7' })
  t.equal(created.statusCode, 201)
  t.match(created.body, 'It works until <strong>2026-12-08 10:00 UTC</strong>')
  const week = TOKEN.exec(created.body)![0]
  const bad = await browser.post('/admin/tokens', { name: 'forever', days: '100000' })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, /<small id="days-error" class="field-error">A token can live at most 365 days/)
  t.equal((await browser.post('/admin/tokens', { name: 'odd', days: '11' })).statusCode, 422, 'only the lifetimes offered')
  t.notMatch(bad.body, TOKEN)

  // A token from before expiry existed ends 90 days after it was made.
  const old = createApiToken(app.db, org.id, 'old', clock.now())
  app.db.update(apiTokens).set({ expiresAt: null }).where(eq(apiTokens.id, old.id)).run()

  const invalid = await me(app, 'oc_' + 'x'.repeat(43))
  clock.advance(7 * DAY - 1000)
  t.equal((await me(app, week)).statusCode, 200, 'just before a week')
  clock.advance(1000)
  const expired = await me(app, week)
  t.equal(expired.statusCode, 401, 'a week later')
  t.same(expired.json(), invalid.json(), 'the same answer as an invalid token')
  t.equal(expired.headers['www-authenticate'], invalid.headers['www-authenticate'])
  t.equal((await me(app, usual)).statusCode, 200)
  t.match((await (await signIn(app, 'org@example.org')).get('/admin/tokens')).body, /a week<\/td>[\s\S]*?2026-12-08 10:00 UTC<\/td>\s*<td>expired/, 'the screen says it expired')

  clock.advance(83 * DAY)
  t.equal((await me(app, usual)).statusCode, 401, '90 days by default')
  t.equal((await me(app, old.token)).statusCode, 401, 'a token without an expiry ends 90 days after its creation')
})

t.test('a disabled user\'s tokens die: refused at once, and revoked', async (t) => {
  const app = await build(t)
  await addUser(app, 'admin@example.org', 'admin')
  const org = await addUser(app, 'org@example.org', 'organizer', [1])
  const admin = await signIn(app, 'admin@example.org')
  const one = createApiToken(app.db, org.id, 'one', app.clock())
  const two = createApiToken(app.db, org.id, 'two', app.clock())
  t.equal((await me(app, one.token)).statusCode, 200)

  const res = await admin.post(`/admin/users/${org.id}`, { name: '', role: 'organizer', campaigns: '1', disabled: 'on' })
  t.equal(res.statusCode, 303)
  t.equal((await me(app, one.token)).statusCode, 401)
  t.equal((await me(app, two.token)).statusCode, 401)
  t.equal(tableCount(app, 'api_tokens', `user_id = ${org.id} and revoked_at is null`), 0, 'both revoked')
  t.match(app.db.select().from(auditLog).where(eq(auditLog.action, 'user.disable')).get(), { detail: { tokensRevoked: 2 } })

  // Enabled again, the old tokens stay dead.
  t.equal((await admin.post(`/admin/users/${org.id}`, { name: '', role: 'organizer', campaigns: '1' })).statusCode, 303)
  t.equal((await me(app, one.token)).statusCode, 401, 'enabling brings no token back')

  // Even a token the revocation missed (made straight in the database) is refused while the user is disabled.
  t.equal((await admin.post(`/admin/users/${org.id}`, { name: '', role: 'organizer', campaigns: '1', disabled: 'on' })).statusCode, 303)
  const stray = app.db.transaction((tx) => createApiToken(tx, org.id, 'stray', app.clock()))
  t.equal((await me(app, stray.token)).statusCode, 401)
})
