import crypto from 'node:crypto'
import t from 'tap'
import { eq } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { build, supporter, tableCount } from '../helper.js'
import { addUser, signIn } from '../admin/helper.js'
import { auditLog, campaigns, capturedMail, letters, outbox, pickets, rsvps, targets } from '../../src/db/schema/index.js'
import { recountLetters } from '../../src/letters/queries.js'
import { emailDigest } from '../../src/supporters/data.js'

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex')
/** The audit's pseudonym of an address: keyed with the app's secret, not a plain hash anyone can recompute. */
const pseudonym = (app: FastifyInstance, email: string) => emailDigest(app.config.sessionSecret, email)

/**
 * These tests are about stored data, not confirmation: letters and RSVPs count at once, as in a
 * campaign that turned confirmation off.
 */
async function buildCounting(t: Parameters<typeof build>[0]) {
  const app = await build(t, { confirmLetters: false })
  app.db.$client.prepare('update campaigns set confirm_rsvps = 0').run()
  return app
}

async function writeLetter(app: FastifyInstance, fields: Record<string, unknown>) {
  const res = await app.inject({ method: 'POST', url: '/api/campaigns/zhanaozen/letters', headers: { 'content-type': 'application/json' }, payload: { ...supporter, ...fields } })
  if (res.statusCode !== 201) throw new Error(`letter: ${res.statusCode} ${res.body}`)
  return res.json().letter.id as string
}

async function rsvp(app: FastifyInstance, picketId: number, name: string, email: string) {
  const res = await app.inject({ method: 'POST', url: `/api/pickets/${picketId}/rsvps`, headers: { 'content-type': 'application/json' }, payload: { name, email, consent: true } })
  if (res.statusCode !== 201) throw new Error(`rsvp: ${res.statusCode} ${res.body}`)
}

/** The tables whose rows contain `needle` anywhere (case-insensitive). */
function databaseContains(app: FastifyInstance, needle: string): string[] {
  const sqlite = app.db.$client
  const tables = sqlite.prepare(`select name from sqlite_master where type = 'table'`).all() as { name: string }[]
  const lower = needle.toLowerCase()
  return tables.filter(({ name }) => (sqlite.prepare(`select * from "${name}"`).all() as unknown[]).some((row) => JSON.stringify(row).toLowerCase().includes(lower))).map((t) => t.name)
}

function tally(app: FastifyInstance) {
  return {
    campaigns: app.db.select({ id: campaigns.id, letters: campaigns.lettersCount, offline: campaigns.offlineCount }).from(campaigns).all(),
    targets: app.db.select({ id: targets.id, letters: targets.lettersCount }).from(targets).all(),
    pickets: app.db.select({ id: pickets.id, going: pickets.goingCount, waitlisted: pickets.waitlistedCount }).from(pickets).all(),
  }
}

/** Roza writes to both officials (one with a note and a copy for herself), RSVPs to a picket; Sam writes once. */
async function scene(app: FastifyInstance) {
  const picketId = app.db.select().from(pickets).orderBy(pickets.id).get()!.id
  await writeLetter(app, { targetId: 1, copy: true, consent: true, note: 'Solidarity from the Leeds branch of Unite.' })
  await writeLetter(app, { targetId: 2, email: 'ROZA@example.com ' })
  await writeLetter(app, { targetId: 1, name: 'Sam Other', email: 'sam@example.org', city: 'Glasgow' })
  await rsvp(app, picketId, 'Roza T.', 'Roza@Example.com')
  // Their letters become mail when their officials' delivery takes them.
  app.dispatcher.produce()
  return { picketId }
}

t.test('find a supporter by email: every letter and RSVP', async (t) => {
  const app = await buildCounting(t)
  await addUser(app, 'admin@example.org', 'admin')
  const admin = await signIn(app, 'admin@example.org')
  await scene(app)

  const empty = await admin.get('/admin/supporters')
  t.equal(empty.statusCode, 200)
  t.match(empty.body, 'name="email"')

  const res = await admin.post('/admin/supporters', { email: ' Roza@EXAMPLE.com' })
  t.equal(res.statusCode, 200)
  t.match(res.body, 'Letters (2)')
  t.match(res.body, /Free the Zhanaozen oil workers<\/td><td>Nursultan Nazarbayev<\/td><td>\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/td><td>outgoing<\/td><td>yes/)
  t.match(res.body, 'Askhat Daulbayev')
  t.match(res.body, 'RSVPs (1)')
  t.match(res.body, /London<\/td><td>Free the Zhanaozen oil workers<\/td><td>[^<]+<\/td><td>going/)
  t.match(res.body, /<form method="post" action="\/admin\/supporters\/export">\s*<input type="hidden" name="_csrf" value="[^"]+">\s*<input type="hidden" name="email" value="roza@example.com">/, 'the export is a POST: no address in a URL')
  t.match(res.body, '<form method="post" action="/admin/supporters" novalidate>')
  t.notMatch(res.body, /href="[^"]*(roza|%40)/i)
  t.match(res.body, 'action="/admin/supporters/erase"')
  t.notMatch(res.body, 'Sam Other')

  const nobody = await admin.post('/admin/supporters', { email: 'nobody@example.com' })
  t.match(nobody.body, 'Nothing is stored under')
  t.notMatch(nobody.body, 'action="/admin/supporters/erase"')

  const bad = await admin.post('/admin/supporters', { email: 'not-an-email' })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, /<small id="email-error" class="field-error">Please enter a valid email address/)
  t.match(bad.body, 'value="not-an-email"')
  t.equal((await admin.post('/admin/supporters', { email: ['a@b.org', 'c@d.org'] })).statusCode, 422)
  const inQuery = await admin.get('/admin/supporters?email=roza%40example.com')
  t.equal(inQuery.statusCode, 200)
  t.notMatch(inQuery.body, 'Letters (', 'an address in a query string is not looked up')
  t.equal(tableCount(app, 'audit_log', "action like 'supporter.%'"), 0, 'a search changes nothing')
})

t.test('export: everything stored about them as JSON; the audit keeps a hash, not the address', async (t) => {
  const app = await buildCounting(t)
  await addUser(app, 'admin@example.org', 'admin')
  const admin = await signIn(app, 'admin@example.org')
  await scene(app)

  const res = await admin.post('/admin/supporters/export', { email: 'roza@example.com' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], 'application/json')
  t.equal(res.headers['content-disposition'], `attachment; filename="supporter-data-${app.clock().toISOString().slice(0, 10)}.json"`)
  t.equal(res.headers['cache-control'], 'no-store')
  const data = res.json()
  t.equal(data.email, 'roza@example.com')
  t.equal(data.letters.length, 2)
  t.match(data.letters[0], {
    id: String,
    campaign: { id: 1, slug: 'zhanaozen', title: 'Free the Zhanaozen oil workers' },
    official: { id: 1, name: 'Nursultan Nazarbayev' },
    name: 'Roza T.',
    email: 'roza@example.com',
    country: 'GB',
    city: 'Leeds',
    organisation: 'Unite',
    note: 'Solidarity from the Leeds branch of Unite.',
    // With confirmation off nothing proves the address theirs, so no copy is sent to it.
    wantsCopy: false,
    consent: true,
    subject: 'Free the Zhanaozen oil workers',
    status: 'outgoing',
    createdAt: app.db.select().from(letters).orderBy(letters.id).get()!.createdAt.toISOString(),
  })
  t.match(data.letters[0].body, /Dear Mr President,[\s\S]*Solidarity from the Leeds branch of Unite\.[\s\S]*Roza T\.\nLeeds, United Kingdom/, 'the rendered letter')
  t.match(data.letters[1], { official: { id: 2 }, email: 'ROZA@example.com', consent: false, wantsCopy: false })
  t.equal(data.rsvps.length, 1)
  t.match(data.rsvps[0], { picket: { city: 'London', title: String, startsAt: String }, campaign: { slug: 'zhanaozen' }, name: 'Roza T.', email: 'Roza@Example.com', consent: true, status: 'going', remindersStopped: false, checkedInAt: null })
  t.ok(data.mail.some((m: { to: string }) => /roza@example\.com/i.test(m.to)), 'mail to them is listed')
  t.ok(data.mail.some((m: { kind: string; to: string }) => m.kind === 'letter' && m.to === 'president@akorda.example.org') || data.mail.some((m: { kind: string }) => m.kind === 'letter'))
  t.notMatch(res.body, 'Sam Other', 'nobody else')
  t.notMatch(res.body, 'sam@example.org')

  const entry = app.db.select().from(auditLog).where(eq(auditLog.action, 'supporter.export')).get()!
  t.match(entry, { userEmail: 'admin@example.org', detail: { emailHmac: pseudonym(app, 'roza@example.com'), letters: 2, rsvps: 1 } })
  t.notMatch(JSON.stringify(entry), sha256('roza@example.com'), 'not a plain hash of the address')
  t.notMatch(JSON.stringify(entry), /roza/i, 'the address is not in the audit log')

  const bad = await admin.post('/admin/supporters/export', { email: 'nope' })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, 'id="email-error"')
  t.equal((await admin.post('/admin/supporters/export', {})).statusCode, 422)
  t.equal((await admin.get('/admin/supporters/export?email=roza%40example.com')).statusCode, 404, 'no export by GET')
})

t.test('erase: the personal data goes, every count stays, and a new letter afterwards counts as new', async (t) => {
  const app = await buildCounting(t)
  await addUser(app, 'admin@example.org', 'admin')
  const admin = await signIn(app, 'admin@example.org')
  const { picketId } = await scene(app)
  // Some mail has gone out (and was captured), some is still queued.
  await app.dispatcher.drain()
  await rsvp(app, app.db.select().from(pickets).orderBy(pickets.id).all()[1]!.id, 'Roza T.', 'roza@example.com')
  t.ok(tableCount(app, 'outbox', "status = 'queued' and recipient = 'roza@example.com'") > 0, 'an RSVP mail waits in the queue')
  t.ok(tableCount(app, 'captured_mail', "lower(recipient) = 'roza@example.com'") > 0)

  const before = tally(app)
  const samBefore = app.db.select().from(letters).where(eq(letters.emailNormalized, 'sam@example.org')).get()!

  // Without the confirmation box nothing happens.
  const unconfirmed = await admin.post('/admin/supporters/erase', { email: 'roza@example.com' })
  t.equal(unconfirmed.statusCode, 422)
  t.match(unconfirmed.body, /<small id="confirm-error" class="field-error">Tick the box to confirm/)
  t.match(unconfirmed.body, 'Letters (2)', 'the search result stays on screen')
  t.equal(tableCount(app, 'letters', "email_normalized = 'roza@example.com'"), 2)
  t.equal((await admin.post('/admin/supporters/erase', { email: 'bad', confirm: 'on' })).statusCode, 422)

  const res = await admin.post('/admin/supporters/erase', { email: 'Roza@example.com', confirm: 'on' })
  t.equal(res.statusCode, 200)
  t.match(res.body, /2 letter\(s\) and 2 RSVP\(s\)/)

  t.same(tally(app), before, 'campaigns.letters_count, targets.letters_count and pickets.going_count are unchanged')
  t.equal(recountLetters(app.db, 1), before.campaigns[0]!.letters, 'the rows still add up to the count')

  const erased = app.db.select().from(letters).all().filter((l) => l.id !== samBefore.id)
  t.equal(erased.length, 2, 'the letters are still there')
  for (const l of erased) {
    t.match(l, { supporterName: null, supporterEmail: null, emailNormalized: null, city: null, organisation: null, note: null, country: 'GB' })
    t.notMatch(l.body, 'Roza T.')
    t.notMatch(l.body, 'Leeds')
    t.match(l.body, /Dear .*,/, 'the rest of the letter is kept')
  }
  const theirRsvps = app.db.select().from(rsvps).all()
  t.equal(theirRsvps.length, 2)
  for (const r of theirRsvps) t.match(r, { name: null, email: null, emailNormalized: null, status: 'going', remindersStopped: true })
  t.equal(app.db.select().from(pickets).where(eq(pickets.id, picketId)).get()!.goingCount, 1)

  // Mail: unsent mail to them is gone, sent mail is kept without them.
  t.equal(tableCount(app, 'outbox', "status in ('queued', 'failed') and lower(recipient) like '%roza%'"), 0)
  const sentToThem = app.db.select().from(outbox).where(eq(outbox.recipient, 'erased')).all()
  t.ok(sentToThem.length >= 1, 'sent rows kept with the recipient erased')
  for (const row of sentToThem) t.match(row, { status: 'sent', message: { to: { address: 'erased' }, text: '', html: '' } })
  t.equal(tableCount(app, 'captured_mail', "lower(recipient) = 'roza@example.com'"), 0, 'captured copies to them are gone')
  t.equal(app.db.select().from(capturedMail).all().filter((m) => /roza@example\.com|Roza T\./i.test(m.raw)).length, 0, 'and copies about them')
  t.same(databaseContains(app, 'roza@example.com'), [], 'the address is nowhere in the database')
  t.same(databaseContains(app, 'Roza T.'), [], 'nor the name')

  // Sam is untouched.
  t.same(app.db.select().from(letters).where(eq(letters.id, samBefore.id)).get(), samBefore)

  const entry = app.db.select().from(auditLog).where(eq(auditLog.action, 'supporter.erase')).get()!
  t.match(entry, { userEmail: 'admin@example.org', detail: { emailHmac: pseudonym(app, 'roza@example.com'), letters: 2, rsvps: 2 } })

  t.match((await admin.post('/admin/supporters', { email: 'roza@example.com' })).body, 'Nothing is stored under')

  // Writing again after erasure is a new letter, counted and sent, not "you have already written".
  await writeLetter(app, { targetId: 1 })
  const after = tally(app)
  t.equal(after.campaigns[0]!.letters, before.campaigns[0]!.letters + 1)
  t.equal(after.targets.find((x) => x.id === 1)!.letters, before.targets.find((x) => x.id === 1)!.letters + 1)
  t.equal(tableCount(app, 'letters', "email_normalized = 'roza@example.com'"), 1)
  t.equal(tableCount(app, 'outbox', "kind = 'already_written'"), 0)
  app.dispatcher.produce()
  t.equal(tableCount(app, 'outbox', "kind = 'letter' and status = 'queued'"), 1)
})

t.test('erasing someone on a waiting list withdraws them; an unsent letter is not sent with their name', async (t) => {
  const app = await buildCounting(t)
  await addUser(app, 'admin@example.org', 'admin')
  const admin = await signIn(app, 'admin@example.org')
  const picket = app.db.select().from(pickets).orderBy(pickets.id).get()!
  app.db.update(pickets).set({ capacity: 1 }).where(eq(pickets.id, picket.id)).run()
  await rsvp(app, picket.id, 'First', 'first@example.org')
  await rsvp(app, picket.id, 'Wait Er', 'waiter@example.org')
  await writeLetter(app, { targetId: 1, name: 'Wait Er', email: 'waiter@example.org' })
  t.match(app.db.select().from(pickets).where(eq(pickets.id, picket.id)).get(), { goingCount: 1, waitlistedCount: 1 })

  const res = await admin.post('/admin/supporters/erase', { email: 'waiter@example.org', confirm: 'on' })
  t.equal(res.statusCode, 200)
  t.match(app.db.select().from(rsvps).where(eq(rsvps.name, 'First')).get(), { status: 'going' })
  t.match(app.db.select().from(rsvps).all().find((r) => r.name === null), { status: 'cancelled', email: null })
  t.match(app.db.select().from(pickets).where(eq(pickets.id, picket.id)).get(), { goingCount: 1, waitlistedCount: 0 })
  t.equal(tableCount(app, 'outbox', "kind = 'letter'"), 0, 'the letter not yet sent is not sent under their name')
  app.dispatcher.produce()
  t.equal(tableCount(app, 'outbox', "kind = 'letter'"), 0, 'nor later, scrubbed: it is withdrawn')
  t.equal(tableCount(app, 'letters', "status = 'withdrawn'"), 1)
  t.equal(app.db.select().from(campaigns).get()!.lettersCount, 1, 'but it still counts')

  // When the first person cancels, the erased one (who could not be told) is not promoted.
  const first = app.db.select().from(rsvps).where(eq(rsvps.name, 'First')).get()!
  t.doesNotThrow(() => app.pickets.cancelRsvp(first.token))
  t.match(app.db.select().from(pickets).where(eq(pickets.id, picket.id)).get(), { goingCount: 0, waitlistedCount: 0 })
  t.equal(tableCount(app, 'rsvps', "status = 'going'"), 0)
})

t.test('a picket change after an erasure does not fail on the erased RSVP', async (t) => {
  const app = await buildCounting(t)
  await addUser(app, 'admin@example.org', 'admin')
  const admin = await signIn(app, 'admin@example.org')
  const picket = app.db.select().from(pickets).orderBy(pickets.id).get()!
  await rsvp(app, picket.id, 'Roza T.', 'roza@example.com')
  await admin.post('/admin/supporters/erase', { email: 'roza@example.com', confirm: 'on' })
  t.doesNotThrow(() => app.pickets.cancel(picket.id))
})

t.test('data protection is for admins only', async (t) => {
  const app = await buildCounting(t)
  await addUser(app, 'org@example.org', 'organizer', [1])
  const org = await signIn(app, 'org@example.org')
  await scene(app)
  t.equal((await org.get('/admin/supporters')).statusCode, 404)
  t.equal((await org.post('/admin/supporters', { email: 'roza@example.com' })).statusCode, 404)
  t.equal((await org.post('/admin/supporters/export', { email: 'roza@example.com' })).statusCode, 404)
  t.equal((await org.post('/admin/supporters/erase', { email: 'roza@example.com', confirm: 'on' })).statusCode, 404)
  t.equal(tableCount(app, 'letters', "email_normalized = 'roza@example.com'"), 2)
})

t.test('the audit pseudonym is a keyed HMAC: the same address gives the same value under one secret, another under another', async (t) => {
  t.equal(emailDigest('a'.repeat(40), 'Roza@Example.com '), emailDigest('a'.repeat(40), 'roza@example.com'), 'normalised first')
  t.not(emailDigest('a'.repeat(40), 'roza@example.com'), emailDigest('b'.repeat(40), 'roza@example.com'), 'keyed by the secret')
  t.not(emailDigest('a'.repeat(40), 'roza@example.com'), sha256('roza@example.com'))
  t.match(emailDigest('a'.repeat(40), 'roza@example.com'), /^[0-9a-f]{64}$/)
})
