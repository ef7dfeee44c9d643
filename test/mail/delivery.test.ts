import t from 'tap'
import { build, formSession, postForm, supporter, tableCount, tempDir, TestClock } from '../helper.js'
import { TestSmtp } from '../smtp.js'
import { isServerDown } from '../../src/mail/dispatcher.js'

type App = Awaited<ReturnType<typeof build>>

async function smtp(t: { teardown(fn: () => unknown): void }) {
  const server = new TestSmtp()
  await server.start()
  t.teardown(() => server.stop())
  return server
}

const write = (app: App, extra: Record<string, unknown> = {}) =>
  app.inject({ method: 'POST', url: '/api/campaigns/zhanaozen/letters', headers: { 'content-type': 'application/json' }, payload: { ...supporter, targetId: 1, ...extra } })

const outboxRow = (app: App, kind: string) =>
  app.db.$client.prepare(`select * from outbox where kind = ?`).get(kind) as { status: string; attempts: number; last_error: string | null; next_attempt_at: number; sent_at: number | null }

t.test('the supporter confirms from the mailbox; the official receives the letter with the right headers; the supporter a copy', async (t) => {
  const server = await smtp(t)
  const app = await build(t, { env: { SMTP_URL: server.url }, confirmLetters: true })
  const res = await write(app, { copy: true, note: 'Free them now.', replyDirect: true })
  t.equal(res.statusCode, 201)
  const publicId = res.json().letter.id
  t.equal(await app.dispatcher.drain(), 1, 'only the confirmation goes before the supporter confirms')
  const link = /http:\/\/outcry\.test(\/letters\/confirm\/[\w-]+)/.exec(server.to('roza@example.com')[0]!.parsed.text ?? '')![1]!
  const session = await formSession(app, link)
  t.equal((await postForm(app, link, {}, session)).statusCode, 303)
  server.received.length = 0
  t.equal(await app.dispatcher.drain(), 2)

  const [letter] = server.to('president@akorda.example.org')
  t.ok(letter, 'delivered to the official')
  const m = letter!.parsed
  t.same(m.from?.value, [{ name: 'Roza T. via Outcry', address: 'outcry@outcry.test' }])
  t.equal(letter!.envelopeFrom, 'outcry@outcry.test', 'sent from MAIL_FROM, not the supporter (SPF/DMARC)')
  t.same(m.replyTo?.value, [{ name: 'Roza T.', address: 'roza@example.com' }], 'the supporter chose to share their address')
  t.same((m.to as { value: unknown }).value, [{ name: 'Nursultan Nazarbayev', address: 'president@akorda.example.org' }])
  t.equal(m.subject, 'Free the Zhanaozen oil workers')
  t.equal(m.messageId, `<letter.${publicId}@outcry.test>`)
  t.match(m.text, 'I am writing from Leeds, United Kingdom, as a member of Unite')
  t.match(m.text, 'Free them now.')
  t.match(m.html, '<p>Free them now.</p>')
  t.notOk(m.headers.get('bcc'))

  const [copy] = server.to('roza@example.com')
  t.ok(copy, 'copy delivered to the supporter')
  t.match(copy!.parsed.subject, 'Your letter to Nursultan Nazarbayev')
  t.match(copy!.parsed.text, 'Free them now.')
  t.match(copy!.parsed.text, 'http://outcry.test/campaigns/zhanaozen')

  t.equal(tableCount(app, 'letters', "status = 'sent'"), 1, 'the letter is marked sent')
  t.equal(tableCount(app, 'outbox', "status = 'sent'"), 3)
  t.equal(await app.dispatcher.drain(), 0, 'nothing is sent twice')
  t.equal(server.received.length, 2)
})

t.test('a server that refuses for a while: retried with backoff, delivered once', async (t) => {
  const server = await smtp(t)
  const clock = new TestClock()
  const app = await build(t, { env: { SMTP_URL: server.url }, clock: clock.now })
  server.refuse = { code: 451, message: 'Try again later' }
  await write(app)
  app.dispatcher.produce() // the letter becomes mail when its official's delivery takes it

  t.equal(await app.dispatcher.runOnce(), 1)
  let row = outboxRow(app, 'letter')
  t.equal(row.status, 'queued')
  t.equal(row.attempts, 1)
  t.match(row.last_error, /451/)
  t.equal(row.next_attempt_at, clock.current.getTime() + 30_000, 'first retry after 30 s')
  t.equal(await app.dispatcher.runOnce(), 0, 'not due yet')

  clock.advance(30_000)
  t.equal(await app.dispatcher.runOnce(), 1)
  row = outboxRow(app, 'letter')
  t.equal(row.attempts, 2)
  t.equal(row.next_attempt_at, clock.current.getTime() + 60_000, 'backoff doubles')

  server.refuse = false
  clock.advance(60_000)
  t.equal(await app.dispatcher.drain(), 1)
  row = outboxRow(app, 'letter')
  t.equal(row.status, 'sent')
  t.equal(row.last_error, null)
  t.equal(server.received.length, 1, 'delivered exactly once')
  clock.advance(3_600_000)
  t.equal(await app.dispatcher.drain(), 0)
})

t.test('a permanent refusal fails the row at once and keeps the error', async (t) => {
  const server = await smtp(t)
  const app = await build(t, { env: { SMTP_URL: server.url } })
  server.refuse = { code: 550, message: 'No such mailbox' }
  await write(app)
  app.dispatcher.produce() // the letter becomes mail when its official's delivery takes it
  await app.dispatcher.drain()
  const row = outboxRow(app, 'letter')
  t.equal(row.status, 'failed')
  t.match(row.last_error, /550/)
  t.equal((await app.inject('/api/campaigns/zhanaozen/tally')).json().letters, 1, 'the letter still counts: the supporter wrote it')
})

t.test('after too many attempts a row fails for good', async (t) => {
  const server = await smtp(t)
  const clock = new TestClock()
  const app = await build(t, { env: { SMTP_URL: server.url }, clock: clock.now, dispatcher: { maxAttempts: 3 } })
  server.refuse = { code: 451, message: 'Mailbox busy' }
  await write(app)
  app.dispatcher.produce() // the letter becomes mail when its official's delivery takes it
  for (let i = 0; i < 5; i++) {
    await app.dispatcher.drain()
    clock.advance(3_600_000)
  }
  const row = outboxRow(app, 'letter')
  t.equal(row.status, 'failed')
  t.equal(row.attempts, 3)
  t.equal(server.attempts, 3)
})

t.test('a mail server that is down pauses the queue, probes with one message, and fails no mail', async (t) => {
  const server = await smtp(t)
  const clock = new TestClock()
  const app = await build(t, { env: { SMTP_URL: server.url }, clock: clock.now, dispatcher: { maxAttempts: 3 } })
  server.down = true
  for (let i = 0; i < 5; i++) await write(app, { email: `down-${i}@example.com` })
  app.dispatcher.produce() // the letter becomes mail when its official's delivery takes it
  const rows = () =>
    app.db.$client.prepare("select status, attempts, next_attempt_at as next, last_error as error from outbox where kind = 'letter' order by id").all() as {
      status: string
      attempts: number
      next: number
      error: string | null
    }[]

  t.equal(await app.dispatcher.runOnce(), 5, 'the first pass tries a batch')
  t.ok(rows().every((r) => r.status === 'queued' && /421/.test(r.error ?? '') && r.next === clock.current.getTime() + 30_000), "all wait 30 s, with the server's answer")
  t.ok(rows().every((r) => r.attempts === 0), 'and no attempt is counted against them')
  t.equal(await app.dispatcher.runOnce(), 0, 'paused: nothing is tried meanwhile')

  let pause = 30_000
  for (let probe = 1; probe <= 6; probe++) {
    clock.advance(pause)
    const connections = server.connections
    t.equal(await app.dispatcher.runOnce(), 1, `probe ${probe}: one message tries the server`)
    t.ok(server.connections - connections <= 1, 'one connection attempt, not one per message')
    t.equal(await app.dispatcher.runOnce(), 0, 'and the queue pauses again')
    pause = Math.min(pause * 2, 300_000)
    t.equal(Math.max(...rows().map((r) => r.next)), clock.current.getTime() + pause, `the pause doubles, up to 5 min: ${pause / 1000} s`)
  }
  t.ok(rows().every((r) => r.status === 'queued' && r.attempts === 0), 'no mail failed or used up its attempts, though the probes went past maxAttempts')

  // Back, but refusing messages for a while: the server answered, so the queue runs again, and
  // each message counts its own attempts from zero.
  server.down = false
  server.refuse = { code: 451, message: 'Mailbox busy' }
  clock.advance(pause)
  t.equal(await app.dispatcher.runOnce(), 1, 'the probe reaches the server')
  t.equal(await app.dispatcher.runOnce(), 4, 'it answered, so it is up: a full batch again')
  t.ok(rows().every((r) => r.status === 'queued' && r.attempts === 1 && /451/.test(r.error ?? '')), 'each refused message has one attempt counted, not seven')
  server.refuse = false
  clock.advance(3_600_000)
  t.equal(await app.dispatcher.drain(), 5, 'then everything goes')
  t.ok(rows().every((r) => r.status === 'sent'))
  t.equal(server.received.length, 5, 'each delivered once')
})

t.test('only failures before any message is sent count as the server being down', async (t) => {
  // The errors nodemailer's pooled transport gives.
  t.ok(isServerDown(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:25'), { code: 'ESOCKET', command: 'CONN' })), 'connection refused')
  t.ok(isServerDown(Object.assign(new Error('Invalid greeting. response=421'), { code: 'EPROTOCOL', command: 'CONN', responseCode: 421 })), '421 greeting')
  t.ok(isServerDown(Object.assign(new Error('Invalid login'), { code: 'EAUTH', command: 'AUTH PLAIN', responseCode: 535 })), 'login refused')
  t.notOk(isServerDown(Object.assign(new Error('Mail command failed: 421 try later'), { code: 'EENVELOPE', command: 'MAIL FROM', responseCode: 421 })), 'a 421 within a session may be the message')
  t.notOk(isServerDown(Object.assign(new Error('Mailbox busy'), { code: 'EMESSAGE', command: 'DATA', responseCode: 451 })), 'a refused message')
  t.notOk(isServerDown(Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION', command: 'DATA' })), 'a connection lost mid-message')
})

t.test('a restart in the middle keeps the queue', async (t) => {
  const server = await smtp(t)
  const dir = tempDir(t)
  const first = await build(t, { dir, env: { SMTP_URL: server.url } })
  for (let i = 0; i < 5; i++) t.equal((await write(first, { email: `s${i}@example.com` })).statusCode, 201)
  await first.close()
  t.equal(server.received.length, 0)

  const second = await build(t, { dir, seed: false, env: { SMTP_URL: server.url } })
  t.equal(await second.dispatcher.drain(), 5)
  t.equal(server.to('president@akorda.example.org').length, 5)
  t.equal((await second.inject('/api/campaigns/zhanaozen/tally')).json().letters, 5)
})

t.test('a row claimed by a process that died is sent after its lease, once', async (t) => {
  const server = await smtp(t)
  const clock = new TestClock()
  const app = await build(t, { env: { SMTP_URL: server.url }, clock: clock.now })
  await write(app)
  app.dispatcher.produce() // the letter becomes mail when its official's delivery takes it
  // Simulate a crash between claim and send: the row is 'sending' with a lease.
  app.db.$client.prepare(`update outbox set status = 'sending', attempts = 1, locked_until = ?`).run(clock.current.getTime() + 300_000)
  t.equal(await app.dispatcher.drain(), 0, 'the lease still holds')
  clock.advance(300_000)
  t.equal(await app.dispatcher.drain(), 1)
  t.equal(server.received.length, 1)
})

t.test('two dispatch passes at once never claim the same row', async (t) => {
  const server = await smtp(t)
  const app = await build(t, { env: { SMTP_URL: server.url }, dispatcher: { batchSize: 7 } })
  for (let i = 0; i < 30; i++) await write(app, { email: `p${i}@example.com` })
  app.dispatcher.produce() // the letter becomes mail when its official's delivery takes it
  const counts = await Promise.all([app.dispatcher.drain(), app.dispatcher.drain(), app.dispatcher.drain()])
  t.equal(counts.reduce((a, b) => a + b, 0), 30)
  t.equal(server.received.length, 30)
  t.equal(new Set(server.received.map((m) => m.parsed.messageId)).size, 30, 'no duplicates')
})

t.test('a request never waits on SMTP: the started dispatcher delivers in the background', async (t) => {
  const server = await smtp(t)
  server.refuse = { code: 451, message: 'busy' }
  const app = await build(t, { env: { SMTP_URL: server.url }, startDispatcher: true, dispatcher: { pollMs: 20, baseDelayMs: 50 } })
  const started = Date.now()
  const res = await write(app)
  t.equal(res.statusCode, 201)
  t.ok(Date.now() - started < 1000, 'answered while the mail server refuses')
  await new Promise((r) => setTimeout(r, 150))
  server.refuse = false
  for (let i = 0; i < 100 && server.received.length === 0; i++) await new Promise((r) => setTimeout(r, 20))
  t.equal(server.received.length, 1)
})

t.test('without SMTP_URL mail is captured and readable in the local mailbox', async (t) => {
  const app = await build(t)
  await write(app, { name: 'Ann <b>Bold</b>' })
  app.dispatcher.produce() // the letter becomes mail when its official's delivery takes it
  await app.dispatcher.drain()
  const list = await app.inject('/dev/mailbox')
  t.equal(list.statusCode, 200)
  t.match(list.body, 'president@akorda.example.org')
  const id = /href="\/dev\/mailbox\/(\d+)"/.exec(list.body)?.[1]
  const one = await app.inject(`/dev/mailbox/${id}`)
  t.match(one.body, 'Ann &lt;b&gt;Bold&lt;/b&gt; via Outcry')
  t.match(one.body, 'I am writing from Leeds')
  const html = await app.inject(`/dev/mailbox/${id}/html`)
  t.match(html.headers['content-security-policy'], 'sandbox')
  t.match(html.body, 'Ann &lt;b&gt;Bold&lt;/b&gt;', 'HTML part escapes supporter text')
  t.equal((await app.inject('/dev/mailbox/999')).statusCode, 404)
})

t.test('the mailbox does not exist in production or with a real SMTP server', async (t) => {
  const server = await smtp(t)
  const withSmtp = await build(t, { env: { SMTP_URL: server.url } })
  t.equal((await withSmtp.inject('/dev/mailbox')).statusCode, 404)
  const prod = await build(t, { env: { NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40) } })
  t.equal((await prod.inject('/dev/mailbox')).statusCode, 404)
})
