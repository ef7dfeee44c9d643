import { spawn } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { SMTPServer } from 'smtp-server'
import type { AddressInfo } from 'node:net'
import { build, formSession, postForm, supporter, tableCount, tempDir } from '../helper.js'
import { TestSmtp } from '../smtp.js'
import { enqueueMail } from '../../src/mail/outbox.js'
import { refusesAddress } from '../../src/mail/dispatcher.js'
import { outboxIdOf, returnPath } from '../../src/mail/transport.js'

type App = Awaited<ReturnType<typeof build>>

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const BOUNCE_DOMAIN = 'bounces.outcry.test'
const OFFICIAL = 'president@akorda.example.org'

/** A fixture report as an MTA would pipe it for the outbox row `id` (the fixtures name it __OUTBOX_ID__). */
const fixture = (name: string, id: number) => fs.readFileSync(path.join(root, 'test/fixtures', name), 'utf8').replaceAll('__OUTBOX_ID__', String(id))

/** `npm run bounce` on the test's database: the message on stdin, as Postfix's pipe gives it. */
function bounce(dir: string, input: string | Buffer, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base = { ...process.env }
  // The CLI derives the address key from the same (default) session secret as the test's app.
  for (const name of ['SESSION_SECRET', 'RECIPIENT', 'ORIGINAL_RECIPIENT', 'SMTP_URL']) delete base[name]
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bounce.ts'], {
      cwd: root,
      env: { ...base, NODE_ENV: 'test', DATABASE_PATH: path.join(dir, 'outcry.db'), BASE_URL: 'http://outcry.test', MAIL_FROM: 'outcry@outcry.test', BOUNCE_DOMAIN, LOG_LEVEL: 'silent', DISPATCHER: 'off', ...env },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.on('error', () => {})
    child.stdin.end(input)
  })
}

async function smtp(t: { teardown(fn: () => unknown): void }) {
  const server = new TestSmtp()
  await server.start()
  t.teardown(() => server.stop())
  return server
}

/** A mail server that refuses chosen recipients at RCPT TO, as a ministry's or a mailbox provider's does. */
async function refusingSmtp(t: { teardown(fn: () => unknown): void }) {
  const refused = new Map<string, { code: number; message: string }>()
  const received: string[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const refusal = refused.get(address.address.toLowerCase())
      if (refusal) return callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }))
      callback()
    },
    onData(stream, session, callback) {
      stream.on('data', () => {})
      stream.on('end', () => {
        received.push(...session.envelope.rcptTo.map((r) => r.address.toLowerCase()))
        callback()
      })
    },
  })
  server.on('error', () => {})
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return { url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`, refused, received }
}

const write = (app: App, extra: Record<string, unknown> = {}) =>
  app.inject({ method: 'POST', url: '/api/campaigns/zhanaozen/letters', headers: { 'content-type': 'application/json' }, payload: { ...supporter, targetId: 1, ...extra } })

const rows = (app: App, where: string) => app.db.$client.prepare(`select * from outbox where ${where} order by id`).all() as { id: number; kind: string; status: string; recipient: string; last_error: string | null }[]
const official = (app: App, email = OFFICIAL) => app.db.$client.prepare(`select delivery_state as state, bounce_reason as reason from targets where email = ?`).get(email) as { state: string; reason: string | null }
const letterStatuses = (app: App) => (app.db.$client.prepare(`select status from letters where target_id = 1 order by id`).all() as { status: string }[]).map((l) => l.status)
const noStack = /\n\s+at .*:\d+/

t.test('the envelope sender is bounces+<outbox id>@BOUNCE_DOMAIN when set; the From header stays MAIL_FROM', async (t) => {
  const server = await smtp(t)
  const app = await build(t, { env: { SMTP_URL: server.url, BOUNCE_DOMAIN } })
  await write(app)
  t.equal(await app.dispatcher.drain(), 1)
  const [row] = rows(app, "kind = 'letter'")
  const [mail] = server.to(OFFICIAL)
  t.equal(mail!.envelopeFrom, `bounces+${row!.id}@${BOUNCE_DOMAIN}`, 'the return path names the outbox row')
  t.same(mail!.parsed.from?.value.map((a) => a.address), ['outcry@outcry.test'], 'From is still MAIL_FROM')
  t.notOk(mail!.parsed.headers.get('return-path'), 'no Return-Path header of ours: the receiving MTA adds it from the envelope')

  const plain = await smtp(t)
  const without = await build(t, { env: { SMTP_URL: plain.url } })
  await write(without)
  await without.dispatcher.drain()
  t.equal(plain.to(OFFICIAL)[0]!.envelopeFrom, 'outcry@outcry.test', 'without BOUNCE_DOMAIN the envelope sender is MAIL_FROM')

  t.equal(returnPath(BOUNCE_DOMAIN, 42), 'bounces+42@bounces.outcry.test')
  t.equal(outboxIdOf('<Bounces+42@BOUNCES.outcry.test>', BOUNCE_DOMAIN), 42)
  for (const other of ['bounces+42@elsewhere.test', 'bounces+x@bounces.outcry.test', 'bounces+0@bounces.outcry.test', 'bounce+42@bounces.outcry.test', 'bounces+42@bounces.outcry.test.evil.test']) {
    t.equal(outboxIdOf(other, BOUNCE_DOMAIN), null, other)
  }
})

t.test('a 550 at RCPT for a letter marks its official bouncing and holds the letter', async (t) => {
  const server = await refusingSmtp(t)
  const app = await build(t, { env: { SMTP_URL: server.url, BOUNCE_DOMAIN } })
  server.refused.set(OFFICIAL, { code: 550, message: '5.1.1 <president@akorda.example.org>: Recipient address rejected: User unknown' })
  t.equal((await write(app)).statusCode, 201)
  await app.dispatcher.drain()
  t.match(rows(app, "kind = 'letter'"), [{ status: 'failed', last_error: /550 5\.1\.1/ }])
  t.match(official(app), { state: 'bouncing', reason: /550 5\.1\.1/ }, "the official's address is bouncing, with the server's answer")
  t.same(letterStatuses(app), ['queued'], 'the letter waits (held)')
  t.equal(tableCount(app, 'bounced_addresses'), 0, "an official's address is not a supporter's: nothing recorded there")

  await write(app, { email: 'second@example.com' })
  await app.dispatcher.drain()
  t.same(letterStatuses(app), ['queued', 'queued'], 'later letters are held too')
  t.equal(server.received.length, 0, 'nothing more is sent to the address')
  t.equal((await app.inject('/api/campaigns/zhanaozen/tally')).json().letters, 2, 'they still count')
})

t.test("a 5xx refusing a supporter's address records it; a block of our server does not", async (t) => {
  const server = await refusingSmtp(t)
  const app = await build(t, { env: { SMTP_URL: server.url }, confirmLetters: true })
  server.refused.set('gone@example.com', { code: 550, message: '5.1.1 <gone@example.com>: Recipient address rejected: User unknown in local recipient table' })
  server.refused.set('blocked@example.org', { code: 550, message: '5.7.1 Message rejected as spam by Content Filtering' })
  t.equal((await write(app, { email: 'gone@example.com' })).statusCode, 201)
  t.equal((await write(app, { email: 'blocked@example.org' })).statusCode, 201)
  await app.dispatcher.drain()
  t.match(rows(app, "kind = 'confirm_letter'"), [{ status: 'failed' }, { status: 'failed' }])
  const bounced = app.db.$client.prepare('select * from bounced_addresses').all() as { address_key: string; reason: string }[]
  t.equal(bounced.length, 1, 'the refused mailbox is recorded; the spam block is about us, not the address')
  t.match(bounced[0]!.reason, /550 5\.1\.1/)
  t.notMatch(JSON.stringify(bounced), /gone|example\.com/, 'by a keyed hash: neither the address nor the reason names it')

  // Later mail to it (any alias of the mailbox) is skipped and answered alike; other addresses are not affected.
  const again = await write(app, { email: ' Gone+zhanaozen@Example.com', targetId: 2 })
  t.equal(again.statusCode, 201, 'answered as if the mail was queued')
  t.equal(rows(app, "recipient like '%one%@example.com'").length, 1, 'no second mail to the address that bounced')
  await write(app, { email: 'blocked@example.org', targetId: 2 })
  await write(app, { email: 'here@example.com' })
  t.equal(rows(app, "recipient = 'blocked@example.org'").length, 2, 'the blocked address still gets mail')
  server.refused.clear()
  await app.dispatcher.drain()
  t.same(server.received.sort(), ['blocked@example.org', 'here@example.com'])

  // Supporters' mail only: an invitation an admin sends, or an official's letter, is never skipped.
  const queued = app.db.transaction((tx) => {
    const message = { from: { name: 'Outcry', address: 'outcry@outcry.test' }, to: { address: 'gone@example.com' }, subject: 's', text: 't', html: '<p>t</p>', messageId: '<m@outcry.test>' }
    return ['invitation', 'rsvp_confirm', 'letter_copy'].map((kind) => enqueueMail(tx, { kind, message }, app.clock()))
  })
  t.same(queued, [true, false, false])

  t.ok(refusesAddress('550 5.0.0 smtp; 550 5.1.1 <a@b.example>: User unknown'), 'a generic 5.0.0 gives way to the specific code')
  t.ok(refusesAddress('550 No such user here', 550), 'no enhanced code: 550 is a mailbox unavailable')
  t.notOk(refusesAddress('552 5.2.2 Mailbox full'), 'a full mailbox is not a gone one')
  t.notOk(refusesAddress('550 5.7.26 Unauthenticated email from outcry.test is not accepted'), "a receiver's policy against us")
  t.notOk(refusesAddress('554 Transaction failed', 554))
  t.notOk(refusesAddress('host 10.5.1.1 said: 554 rejected'), 'an IP address is no status code')
})

t.test('a DSN piped into npm run bounce marks the official bouncing and holds the letters', async (t) => {
  const server = await smtp(t)
  const dir = tempDir(t)
  const app = await build(t, { dir, env: { SMTP_URL: server.url, BOUNCE_DOMAIN } })
  await write(app)
  await app.dispatcher.drain()
  const [row] = rows(app, "kind = 'letter'")
  t.equal(row!.status, 'sent', 'the ministry accepted the letter, then bounced it')

  const forged = await bounce(dir, fixture('dsn-postfix-failed.eml', row!.id).replaceAll(OFFICIAL, 'someone-else@example.org'))
  t.equal(forged.code, 0)
  t.match(forged.stdout, 'about another recipient')
  t.equal(official(app).state, 'ok', "a report about another address than the mail's changes nothing")

  const res = await bounce(dir, fixture('dsn-postfix-failed.eml', row!.id))
  t.equal(res.code, 0, res.stderr)
  t.equal(res.stdout.trim().split('\n').length, 1, 'one line')
  t.match(res.stdout, `bounce: outbox ${row!.id} (letter) failed permanently`)
  t.notMatch(res.stdout, /@/, 'and no address in it')
  t.match(official(app), { state: 'bouncing', reason: /5\.1\.1 .*User unknown in virtual mailbox table/ })
  t.match(rows(app, "kind = 'letter'"), [{ status: 'failed', last_error: /^Bounced after sending: 5\.1\.1/ }])

  await write(app, { email: 'second@example.com' })
  await app.dispatcher.drain()
  t.equal(server.to(OFFICIAL).length, 1, 'nothing more goes to the address')
  t.equal(letterStatuses(app)[1], 'queued', 'the next letter is held')

  const twice = await bounce(dir, fixture('dsn-postfix-failed.eml', row!.id))
  t.equal(twice.code, 0)
  t.match(twice.stdout, 'not sent mail', 'the same report again is ignored')
})

t.test('a 4.x.x DSN (delayed) changes nothing', async (t) => {
  const server = await smtp(t)
  const dir = tempDir(t)
  const app = await build(t, { dir, env: { SMTP_URL: server.url, BOUNCE_DOMAIN } })
  await write(app)
  await app.dispatcher.drain()
  const [row] = rows(app, "kind = 'letter'")
  const res = await bounce(dir, fixture('dsn-postfix-delayed.eml', row!.id))
  t.equal(res.code, 0, res.stderr)
  t.match(res.stdout, 'delayed, status 4.4.1, not a permanent failure')
  t.equal(official(app).state, 'ok')
  t.match(rows(app, "kind = 'letter'"), [{ status: 'sent', last_error: null }])
  t.same(letterStatuses(app), ['sent'])
})

t.test("a DSN for a supporter's confirmation mail suppresses that address; other addresses are not affected", async (t) => {
  const server = await smtp(t)
  const dir = tempDir(t)
  const app = await build(t, { dir, env: { SMTP_URL: server.url, BOUNCE_DOMAIN }, confirmLetters: true })
  await write(app, { email: 'roza.tulegenova@gmail.com' })
  await write(app, { email: 'ana.k@example.net' })
  await app.dispatcher.drain()
  const [gmail, exim] = rows(app, "kind = 'confirm_letter'")
  t.equal(gmail!.recipient, 'roza.tulegenova@gmail.com')

  // Gmail's report: addressed to the return path in To only, with a multipart/related notice first.
  const res = await bounce(dir, fixture('dsn-gmail-failed.eml', gmail!.id))
  t.equal(res.code, 0, res.stderr)
  t.match(res.stdout, "the supporter's address gets no more campaign mail")
  t.equal(tableCount(app, 'bounced_addresses'), 1)
  // Exim's: Envelope-to, and a generic Status 5.0.0 whose Diagnostic-Code says 5.1.1.
  const eximRes = await bounce(dir, fixture('dsn-exim-failed.eml', exim!.id))
  t.equal(eximRes.code, 0, eximRes.stderr)
  t.equal(tableCount(app, 'bounced_addresses'), 2)
  t.notMatch(JSON.stringify(app.db.$client.prepare('select * from bounced_addresses').all()), /roza|tulegenova|ana\.k/, 'the addresses are nowhere in the table')

  const before = rows(app, "kind = 'confirm_letter'").length
  t.equal((await write(app, { email: 'Roza.Tulegenova+kz@googlemail.com', targetId: 2 })).statusCode, 201, 'answered as if queued')
  t.equal((await write(app, { email: 'ana.k@example.net', targetId: 2 })).statusCode, 201)
  t.equal(rows(app, "kind = 'confirm_letter'").length, before, 'no more mail to either mailbox')
  await write(app, { email: 'marat@example.org' })
  server.received.length = 0
  await app.dispatcher.drain()
  t.same(server.received.map((m) => m.envelopeTo[0]), ['marat@example.org'], 'another supporter gets theirs')

  // The confirmation they got before still works: the letter counts and goes to its official.
  const link = /http:\/\/outcry\.test(\/letters\/confirm\/[\w-]+)/.exec(server.to('marat@example.org')[0]!.parsed.text ?? '')![1]!
  t.equal((await postForm(app, link, {}, await formSession(app, link))).statusCode, 303)
})

t.test('unreadable input exits 2 with a plain message; mail that is no report for us is ignored', async (t) => {
  const dir = tempDir(t)
  const app = await build(t, { dir, env: { BOUNCE_DOMAIN } })
  for (const [what, input] of [
    ['random bytes', crypto.randomBytes(2048)],
    ['nothing', ''],
    ['text without header fields', 'hello\nthis is not a mail message\n'],
  ] as const) {
    const res = await bounce(dir, input)
    t.equal(res.code, 2, what)
    t.match(res.stderr, 'Usage: npm run bounce', what)
    t.notMatch(res.stderr, noStack, `${what}: no stack trace`)
  }
  const noRecipient = await bounce(dir, fixture('dsn-postfix-failed.eml', 1).replace(/\nFinal-Recipient:[\s\S]*?\n\n/, '\n\n'))
  t.equal(noRecipient.code, 2, 'a report that names no recipient')
  t.notMatch(noRecipient.stderr, noStack)

  const autoReply = await bounce(dir, `From: someone@example.org\nTo: bounces+1@${BOUNCE_DOMAIN}\nSubject: Out of office\nAuto-Submitted: auto-replied\n\nBack on Monday.\n`)
  t.equal(autoReply.code, 0)
  t.match(autoReply.stdout, 'not a delivery status notification')
  const elsewhere = await bounce(dir, fixture('dsn-postfix-failed.eml', 1).replaceAll(`@${BOUNCE_DOMAIN}`, '@elsewhere.test'))
  t.equal(elsewhere.code, 0)
  t.match(elsewhere.stdout, `sent to no bounces+<id>@${BOUNCE_DOMAIN} address`)
  const unknown = await bounce(dir, fixture('dsn-postfix-failed.eml', 99999))
  t.equal(unknown.code, 0)
  t.match(unknown.stdout, 'outbox 99999 does not exist')
  const unset = await bounce(dir, fixture('dsn-postfix-failed.eml', 1), { BOUNCE_DOMAIN: '' })
  t.equal(unset.code, 75, 'without BOUNCE_DOMAIN the MTA keeps the report for later')
  t.match(unset.stderr, 'BOUNCE_DOMAIN is not set')
  t.equal(official(app).state, 'ok')
  t.equal(tableCount(app, 'bounced_addresses'), 0)
})
