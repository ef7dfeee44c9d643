import crypto from 'node:crypto'
import t from 'tap'
import { eq } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { build, formSession, tableCount, TestClock } from '../helper.js'
import { addUser, signIn } from './helper.js'
import { auditLog, campaigns, invitations, outbox, users } from '../../src/db/schema/index.js'
import { campaignIdsOf, userByEmail } from '../../src/admin/users.js'

const NEW_PASSWORD = 'correct horse battery staple'

function addCampaign(app: FastifyInstance, slug: string, title: string): number {
  const now = app.clock()
  return app.db.insert(campaigns).values({ slug, title, goal: 100, status: 'live', languages: ['en'], createdAt: now, updatedAt: now }).returning().get().id
}

/** The link in the newest invitation mail to this address. */
function invitationLink(app: FastifyInstance, email: string): string {
  const rows = app.db.select().from(outbox).where(eq(outbox.recipient, email)).all().filter((r) => r.kind === 'invitation')
  const row = rows[rows.length - 1]
  if (!row) throw new Error(`no invitation mail to ${email}`)
  const link = /http:\/\/outcry\.test\/admin\/invitations\/[A-Za-z0-9_-]{43}/.exec(row.message!.text)?.[0]
  if (!link) throw new Error('no link in the invitation mail')
  return link
}

/** A cookie jar that starts from nothing, as the invited person's browser does. */
function freshBrowser(app: FastifyInstance) {
  const jar = new Map<string, string>()
  const keep = (setCookie: string | string[] | undefined) => {
    for (const c of ([] as string[]).concat(setCookie ?? [])) {
      const [pair] = c.split(';')
      const at = pair!.indexOf('=')
      jar.set(pair!.slice(0, at), pair!.slice(at + 1))
    }
  }
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
  return {
    async get(url: string) {
      const res = await app.inject({ url, headers: { cookie: cookie() } })
      keep(res.headers['set-cookie'])
      return res
    },
    async post(url: string, fields: Record<string, string>) {
      const res = await app.inject({ method: 'POST', url, headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() })
      keep(res.headers['set-cookie'])
      return res
    },
  }
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!

t.test('invite → mail with a link → set a password → signed in, seeing only the campaigns given', async (t) => {
  const clock = new TestClock()
  const app = await build(t, { clock: clock.now })
  const second = addCampaign(app, 'second', 'The second campaign')
  await addUser(app, 'admin@example.org', 'admin')
  const admin = await signIn(app, 'admin@example.org')

  const form = await admin.get('/admin/users/invite')
  t.equal(form.statusCode, 200)
  t.match(form.body, 'name="campaigns" value="1"')
  t.match(form.body, `name="campaigns" value="${second}"`)

  const res = await admin.post('/admin/users/invite', { email: ' New.Organizer@Example.org ', name: 'Nina Organizer', role: 'organizer', campaigns: ['1'] })
  t.equal(res.statusCode, 303, res.body)
  const user = userByEmail(app.db, 'new.organizer@example.org')!
  t.ok(user, 'the user exists')
  t.equal(res.headers.location, `/admin/users/${user.id}?invited=1`)
  t.match(user, { name: 'Nina Organizer', role: 'organizer', passwordHash: null, disabledAt: null })
  t.same(campaignIdsOf(app.db, user.id), [1])

  // The mail is in the outbox, written with the user; the link is valid 7 days and only its hash is stored.
  const mails = app.db.select().from(outbox).where(eq(outbox.kind, 'invitation')).all()
  t.equal(mails.length, 1)
  t.equal(mails[0]!.recipient, 'new.organizer@example.org')
  t.match(mails[0]!.message!.text, 'Free the Zhanaozen oil workers')
  t.notMatch(mails[0]!.message!.text, 'The second campaign')
  const link = invitationLink(app, 'new.organizer@example.org')
  const token = link.split('/').pop()!
  const invitation = app.db.select().from(invitations).where(eq(invitations.userId, user.id)).get()!
  t.equal(invitation.tokenHash, crypto.createHash('sha256').update(token).digest('hex'))
  t.equal(invitation.expiresAt.getTime() - clock.now().getTime(), 7 * 86_400_000)
  t.match(mails[0]!.message!.html, link)

  // The dispatcher sends it (captured: no SMTP server in tests).
  await app.dispatcher.drain()
  t.equal(tableCount(app, 'captured_mail', "recipient = 'new.organizer@example.org'"), 1)
  t.equal(tableCount(app, 'outbox', "kind = 'invitation' and status = 'sent'"), 1)

  const list = await admin.get('/admin/users')
  t.equal(list.statusCode, 200)
  t.match(list.body, /new\.organizer@example\.org[\s\S]*Nina Organizer[\s\S]*organizer[\s\S]*Free the Zhanaozen oil workers[\s\S]*invited/)
  t.match(await admin.get(`/admin/users/${user.id}?invited=1`), { statusCode: 200, body: /Invitation queued/ })

  // The invited person opens the link in their own browser.
  const browser = freshBrowser(app)
  const page = await browser.get(new URL(link).pathname)
  t.equal(page.statusCode, 200)
  t.match(page.body, 'new.organizer@example.org')
  const set = await browser.post(new URL(link).pathname, { _csrf: csrfOf(page.body), password: NEW_PASSWORD, confirm: NEW_PASSWORD })
  t.equal(set.statusCode, 303)
  t.equal(set.headers.location, '/admin')

  const home = await browser.get('/admin')
  t.equal(home.statusCode, 200, 'signed in')
  t.match(home.body, 'Signed in as new.organizer@example.org')
  t.match(home.body, 'Free the Zhanaozen oil workers')
  t.notMatch(home.body, 'The second campaign', 'only the campaign given')
  t.equal((await browser.get('/admin/users')).statusCode, 404, 'an organizer does not manage people')
  t.equal((await browser.get(new URL(link).pathname)).statusCode, 404, 'the link works once')

  t.match((await admin.get('/admin/users')).body, /new\.organizer@example\.org[\s\S]*active/)
  const actions = app.db.select().from(auditLog).all().map((a) => a.action)
  t.ok(actions.includes('user.invite'))
  t.ok(actions.includes('user.password_set'))
})

t.test('invite form errors: duplicate email, bad email, bad role, unknown campaign — beside each field', async (t) => {
  const app = await build(t)
  await addUser(app, 'admin@example.org', 'admin')
  await addUser(app, 'taken@example.org', 'organizer', [1])
  const admin = await signIn(app, 'admin@example.org')

  const dup = await admin.post('/admin/users/invite', { email: 'TAKEN@example.org', name: 'Someone', role: 'organizer', campaigns: '1' })
  t.equal(dup.statusCode, 422)
  t.match(dup.body, /<small id="email-error" class="field-error">Someone with this email already has an account/)
  t.match(dup.body, 'value="TAKEN@example.org"', 'the value is kept')
  t.match(dup.body, 'value="Someone"')
  t.match(dup.body, /value="1" checked/, 'the campaign stays ticked')

  const bad = await admin.post('/admin/users/invite', { email: 'not an email', role: 'owner', campaigns: ['1', '999', 'x'] })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, 'id="email-error"')
  t.match(bad.body, 'id="role-error"')
  t.match(bad.body, 'id="campaigns-error"')

  const unknown = await admin.post('/admin/users/invite', { email: 'new@example.org', role: 'organizer', campaigns: '999' })
  t.equal(unknown.statusCode, 422)
  t.match(unknown.body, /id="campaigns-error"[^>]*>One of the campaigns chosen no longer exists/)

  t.equal(tableCount(app, 'users'), 2, 'nobody was created')
  t.equal(tableCount(app, 'outbox'), 0, 'no mail was queued')
  t.equal(tableCount(app, 'invitations'), 0)
})

t.test('an admin invites another admin; campaigns do not matter for them', async (t) => {
  const app = await build(t)
  await addUser(app, 'admin@example.org', 'admin')
  const admin = await signIn(app, 'admin@example.org')
  const res = await admin.post('/admin/users/invite', { email: 'second.admin@example.org', role: 'admin' })
  t.equal(res.statusCode, 303)
  const mail = app.db.select().from(outbox).get()!
  t.match(mail.message!.text, 'as an admin')
  t.match(userByEmail(app.db, 'second.admin@example.org'), { role: 'admin' })
})

t.test('editing people: role, campaigns, disable and enable; an admin cannot demote or disable themselves', async (t) => {
  const app = await build(t)
  const second = addCampaign(app, 'second', 'The second campaign')
  const me = await addUser(app, 'admin@example.org', 'admin')
  const other = await addUser(app, 'other.admin@example.org', 'admin')
  const org = await addUser(app, 'org@example.org', 'organizer', [1])
  const admin = await signIn(app, 'admin@example.org')

  const page = await admin.get(`/admin/users/${me.id}`)
  t.equal(page.statusCode, 200)
  const demote = await admin.post(`/admin/users/${me.id}`, { name: 'Me', role: 'organizer' })
  t.equal(demote.statusCode, 422)
  t.match(demote.body, /id="role-error"[^>]*>You cannot take away your own admin role/)
  const disable = await admin.post(`/admin/users/${me.id}`, { name: 'Me', role: 'admin', disabled: 'on' })
  t.equal(disable.statusCode, 422)
  t.match(disable.body, /id="disabled-error"[^>]*>You cannot disable your own account/)
  t.match(app.db.select().from(users).where(eq(users.id, me.id)).get(), { role: 'admin', disabledAt: null, name: '' }, 'nothing changed')
  t.equal((await admin.post(`/admin/users/${me.id}`, { name: 'Me Myself', role: 'admin' })).statusCode, 303, 'renaming myself is fine')

  // Campaigns and name of an organizer.
  const orgBrowser = await signIn(app, 'org@example.org')
  t.equal((await orgBrowser.get('/admin')).statusCode, 200)
  const moved = await admin.post(`/admin/users/${org.id}`, { name: 'Olga', role: 'organizer', campaigns: [String(second)] })
  t.equal(moved.statusCode, 303)
  t.same(campaignIdsOf(app.db, org.id), [second])
  const orgHome = await orgBrowser.get('/admin')
  t.match(orgHome.body, 'The second campaign')
  t.notMatch(orgHome.body, 'Free the Zhanaozen oil workers', 'the change takes effect at once')

  // Disabled: the session stops working; enabled again: it works.
  t.equal((await admin.post(`/admin/users/${org.id}`, { name: 'Olga', role: 'organizer', campaigns: [String(second)], disabled: 'on' })).statusCode, 303)
  t.ok(app.db.select().from(users).where(eq(users.id, org.id)).get()!.disabledAt)
  t.equal((await orgBrowser.get('/admin')).statusCode, 303, 'a disabled account is signed out')
  t.match((await admin.get('/admin/users')).body, /org@example\.org[\s\S]*disabled/)
  t.equal((await admin.post(`/admin/users/${org.id}`, { name: 'Olga', role: 'organizer', campaigns: [String(second)] })).statusCode, 303)
  t.equal(app.db.select().from(users).where(eq(users.id, org.id)).get()!.disabledAt, null)

  // Another admin can be demoted by me, and then sees no admin screens.
  const otherBrowser = await signIn(app, 'other.admin@example.org')
  t.equal((await otherBrowser.get('/admin/users')).statusCode, 200)
  t.equal((await admin.post(`/admin/users/${other.id}`, { role: 'organizer', campaigns: '1' })).statusCode, 303)
  t.equal((await otherBrowser.get('/admin/users')).statusCode, 404)

  t.equal((await admin.get('/admin/users/999')).statusCode, 404)
  t.equal((await admin.get('/admin/users/abc')).statusCode, 404)
  t.equal((await admin.post('/admin/users/999', { role: 'admin' })).statusCode, 404)

  const actions = app.db.select().from(auditLog).all().map((a) => a.action)
  t.ok(actions.includes('user.update'))
  t.ok(actions.includes('user.disable'))
  t.ok(actions.includes('user.enable'))
})

t.test('a new link for someone who never set a password; earlier links stop working', async (t) => {
  const app = await build(t)
  await addUser(app, 'admin@example.org', 'admin')
  const active = await addUser(app, 'active@example.org', 'organizer', [1])
  const admin = await signIn(app, 'admin@example.org')
  await admin.post('/admin/users/invite', { email: 'slow@example.org', role: 'organizer', campaigns: '1' })
  const slow = userByEmail(app.db, 'slow@example.org')!
  const first = new URL(invitationLink(app, 'slow@example.org')).pathname

  const res = await admin.post(`/admin/users/${slow.id}/reinvite`)
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, `/admin/users/${slow.id}?reinvited=1`)
  const second = new URL(invitationLink(app, 'slow@example.org')).pathname
  t.not(second, first)
  t.equal(tableCount(app, 'outbox', "kind = 'invitation'"), 2)
  t.equal((await app.inject(first)).statusCode, 404, 'the first link no longer works')
  t.equal((await app.inject(second)).statusCode, 200)

  const refused = await admin.post(`/admin/users/${active.id}/reinvite`)
  t.equal(refused.statusCode, 409)
  t.match(refused.body, 'already set a password')
  t.equal(tableCount(app, 'outbox', "kind = 'invitation'"), 2)
  t.equal((await admin.post('/admin/users/999/reinvite')).statusCode, 404)
})

t.test('organizers (and anyone not an admin) get 404 on every admin-only screen', async (t) => {
  const app = await build(t)
  const admin = await addUser(app, 'admin@example.org', 'admin')
  await addUser(app, 'org@example.org', 'organizer', [1])
  const org = await signIn(app, 'org@example.org')
  const failed = app.db.insert(outbox).values({ kind: 'test', recipient: 'x@example.org', message: { from: { name: 'O', address: 'o@outcry.test' }, to: { address: 'x@example.org' }, subject: 's', text: 't', html: 'h', messageId: '<m@outcry.test>' }, status: 'failed', nextAttemptAt: app.clock(), createdAt: app.clock() }).returning().get()
  const screens: [string, string, Record<string, string | string[]>?][] = [
    ['GET', '/admin/users'],
    ['GET', '/admin/users/invite'],
    ['POST', '/admin/users/invite', { email: 'sneaky@example.org', role: 'admin' }],
    ['GET', `/admin/users/${admin.id}`],
    ['POST', `/admin/users/${admin.id}`, { role: 'organizer' }],
    ['POST', `/admin/users/${admin.id}/reinvite`],
    ['GET', '/admin/mail'],
    ['POST', `/admin/mail/${failed.id}/retry`],
    ['POST', '/admin/mail/retry-failed'],
    ['GET', '/admin/audit'],
    ['GET', '/admin/supporters'],
    ['POST', '/admin/supporters', { email: 'roza@example.com' }],
    ['POST', '/admin/supporters/export', { email: 'roza@example.com' }],
    ['POST', '/admin/supporters/erase', { email: 'roza@example.com', confirm: 'on' }],
  ]
  for (const [method, url, fields] of screens) {
    const res = method === 'GET' ? await org.get(url) : await org.post(url, fields ?? {})
    t.equal(res.statusCode, 404, `${method} ${url}`)
  }
  t.equal(tableCount(app, 'users'), 2, 'nobody was invited')
  t.equal(app.db.select().from(users).where(eq(users.id, admin.id)).get()!.role, 'admin')
  t.equal(app.db.select().from(outbox).where(eq(outbox.id, failed.id)).get()!.status, 'failed', 'nothing retried')
  t.equal(tableCount(app, 'audit_log', "action like 'supporter.%'"), 0)

  // Anonymous: asked to sign in.
  t.equal((await app.inject('/admin/users')).statusCode, 303)
  const session = await formSession(app, '/admin/login')
  const anon = await app.inject({ method: 'POST', url: '/admin/users/invite', headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${encodeURIComponent(session.token)}&email=a%40b.org&role=admin` })
  t.equal(anon.statusCode, 401)
})

t.test('the audit log: newest first, paginated, filtered by campaign', async (t) => {
  const app = await build(t)
  const second = addCampaign(app, 'second', 'The second campaign')
  await addUser(app, 'admin@example.org', 'admin')
  const admin = await signIn(app, 'admin@example.org')
  await admin.post('/admin/users/invite', { email: 'invitee@example.org', role: 'organizer', campaigns: '1' })
  const { audit } = await import('../../src/admin/audit.js')
  for (let i = 0; i < 60; i++) audit(app.db, { id: 1, email: 'admin@example.org' }, 'campaign.update', { campaignId: i % 2 ? 1 : second, subject: `change ${i}`, detail: { n: i } }, app.clock())

  const first = await admin.get('/admin/audit')
  t.equal(first.statusCode, 200)
  t.match(first.body, /change 59[\s\S]*change 58/, 'newest first')
  t.match(first.body, 'The second campaign')
  t.match(first.body, '{&quot;n&quot;:59}', 'detail shown')
  t.notMatch(first.body, 'user.invite', 'older entries are on the next page')
  const older = /href="(\/admin\/audit\?before[^"]+)"/.exec(first.body)?.[1]
  t.ok(older, 'a link to older entries')
  const next = await admin.get(older!.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&'))
  t.match(next.body, 'user.invite')
  t.match(next.body, 'user.login')
  t.match(next.body, 'admin@example.org')
  t.notMatch(next.body, 'change 59')

  const filtered = await admin.get(`/admin/audit?campaign=${second}`)
  t.match(filtered.body, 'change 58')
  t.notMatch(filtered.body, 'change 59', 'only that campaign')
  t.notMatch(filtered.body, 'user.invite')
  t.equal((await admin.get('/admin/audit?before=abc&campaign=x')).statusCode, 200, 'junk parameters are ignored')
})
