// A supporter's copy of their letter waits in the outbox as a reference to the letter, composed when sent.
import t from 'tap'
import { build, formSession, postForm, supporter, tableCount } from '../helper.js'
import type { OutboxMessage } from '../../src/db/schema/index.js'

type App = Awaited<ReturnType<typeof build>>

const write = (app: App, extra: Record<string, unknown> = {}, lang = 'en') =>
  app.inject({ method: 'POST', url: `/api/campaigns/zhanaozen/letters?lang=${lang}`, headers: { 'content-type': 'application/json' }, payload: { ...supporter, targetId: 1, copy: true, ...extra } })

async function confirmAll(app: App) {
  for (const { message } of app.db.$client.prepare(`select message from outbox where kind = 'confirm_letter'`).all() as { message: string }[]) {
    const link = /http:\/\/outcry\.test(\/letters\/confirm\/[A-Za-z0-9_-]+)/.exec((JSON.parse(message) as OutboxMessage).text)![1]!
    await postForm(app, link, {}, await formSession(app, link))
  }
}

t.test('the queued copy is a small row pointing at the letter; sent, it is the letter in the supporter’s language', async (t) => {
  const app = await build(t, { confirmLetters: true })
  t.equal((await write(app, { name: 'Aigul Bekova', note: 'COPY-MARKER' }, 'ru')).statusCode, 201)
  await confirmAll(app)
  const row = app.db.$client.prepare(`select message, recipient, letter_id as letterId, length(coalesce(message, '')) + length(recipient) + 200 as bytes from outbox where kind = 'letter_copy'`).get() as
    | { message: string | null; recipient: string; letterId: number; bytes: number }
    | undefined
  t.ok(row, 'the copy is queued once confirmed')
  t.equal(row!.message, null, 'no message stored: it is composed from the letter row')
  t.ok(row!.bytes < 1024, `the queued row is small (${row!.bytes} bytes with its columns)`)
  t.equal(row!.recipient, supporter.email)

  await app.dispatcher.drain()
  t.equal(tableCount(app, 'outbox', "kind = 'letter_copy' and status = 'sent'"), 1)
  const raw = app.db.$client.prepare(`select raw from captured_mail where recipient = ? order by id desc`).pluck().get(supporter.email) as string
  t.match(raw, /^Content-Language: ru/m, 'in the language they wrote from')
  t.match(raw, /^Message-ID: <letter-copy\.[A-Za-z0-9_-]+@/m)
  t.match(Buffer.from(raw).toString(), /COPY-MARKER|Q09QWS1NQVJLRVI|COPY=2DMARKER/, 'their letter, as written')
})

t.test('erased before it is sent, the copy is gone with the letter', async (t) => {
  const app = await build(t, { confirmLetters: true })
  await write(app)
  await confirmAll(app)
  t.equal(tableCount(app, 'outbox', "kind = 'letter_copy' and status = 'queued'"), 1)
  // The letter loses its address (as an erasure leaves it) while the row is still queued: nothing goes.
  app.db.$client.prepare(`update letters set supporter_email = null`).run()
  await app.dispatcher.drain()
  t.equal(tableCount(app, 'outbox', "kind = 'letter_copy' and status = 'expired'"), 1, 'withdrawn, not sent')
  t.equal(tableCount(app, 'captured_mail', `outbox_id in (select id from outbox where kind = 'letter_copy')`), 0, 'no copy reached the mailbox')
  t.ok(tableCount(app, 'captured_mail', `outbox_id in (select id from outbox where kind = 'confirm_letter')`) > 0, 'while their other mail did')
})
