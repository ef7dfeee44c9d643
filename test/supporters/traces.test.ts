import crypto from 'node:crypto'
import { Writable } from 'node:stream'
import t from 'tap'
import { build, formSession, postForm } from '../helper.js'
import { addUser, signIn } from '../admin/helper.js'

/** A logger writing into an array, as the production one writes to stdout. */
function capture() {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean))
      done()
    },
  })
  return { lines, logger: { level: 'info', stream } }
}

t.test('logged URLs and messages never contain a token or an email address', async (t) => {
  const log = capture()
  const app = await build(t, { logger: log.logger })
  await addUser(app, 'admin@example.org', 'admin')
  const token = () => crypto.randomBytes(24).toString('base64url')
  const secrets: string[] = []
  const get = async (url: string, secret: string) => {
    secrets.push(secret)
    return app.inject({ url })
  }

  const confirm = token()
  await get(`/letters/confirm/${confirm}`, confirm)
  const missing = token()
  await get(`/letters/confirm/${missing}/nowhere`, missing)
  const rsvp = token()
  await get(`/rsvps/${rsvp}`, rsvp)
  await get(`/rsvps/${rsvp}/stop-reminders`, rsvp)
  const invitation = token()
  await get(`/admin/invitations/${invitation}`, invitation)
  await get('/admin/supporters?email=hidden.person%40example.net', 'hidden.person')
  await get('/campaigns/zhanaozen?ref=other.person@example.net', 'other.person')
  await get(`/anything?token=${token()}`, '?token=a')

  // A supporter's address typed into the sign-in form and the supporter search is not logged either.
  const session = await formSession(app, '/admin/login')
  await postForm(app, '/admin/login', { email: 'typed.address@example.net', password: 'not the password' }, session)
  secrets.push('typed.address')
  const admin = await signIn(app, 'admin@example.org')
  await admin.post('/admin/supporters', { email: 'searched.person@example.net' })
  await admin.post('/admin/supporters/export', { email: 'searched.person@example.net' })
  secrets.push('searched.person')

  // What the code logs itself: a mail server's answer naming the recipient, a message with a URL.
  app.log.warn({ outboxId: 1, err: '550 5.1.1 <bounced.person@example.net>: Recipient address rejected' }, 'mail failed, will retry')
  const inMessage = token()
  app.log.info(`looked at /rsvps/${inMessage}/cancel`)
  secrets.push('bounced.person', inMessage)

  const text = log.lines.join('\n')
  t.ok(log.lines.length > 10, 'requests are logged')
  t.match(text, '"url":"/letters/confirm/…"', 'the confirmation URL is logged without its token')
  t.match(text, '"url":"/rsvps/…/stop-reminders"')
  t.match(text, '"url":"/admin/invitations/…"')
  t.match(text, '"url":"/admin/supporters?email=…"')
  t.match(text, '"msg":"mail failed, will retry"')
  t.match(text, '"err":"550 5.1.1 <…>: Recipient address rejected"', 'the text fields beside a message too')
  t.match(text, '"msg":"looked at /rsvps/…/cancel"', 'and the message itself')
  t.match(text, '"msg":"failed sign-in"')
  for (const secret of secrets) t.notMatch(text, secret, `the log has no ${secret}`)
  t.notMatch(text, /[\w.+-]+(@|%40)example\.net/i, 'no email address at all')
  t.notMatch(text, 'admin@example.org', 'not even an organizer’s')
})
