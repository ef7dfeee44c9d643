import t from 'tap'
import { build, formSession, postForm, tableCount } from '../helper.js'
import { TestSmtp } from '../smtp.js'
import { letterToOfficial } from '../../src/letters/mail.js'
import { mailSettings } from '../../src/mail/settings.js'

const XSS = '<script>alert(1)</script>'
const HBS = '{{constructor.constructor "alert(2)"}}'
const hostile = {
  name: `Eve ${XSS}`,
  email: 'eve@example.com',
  country: 'GB',
  city: `Town ${HBS}`,
  organisation: `Org <img src=x onerror=alert(3)>`,
  note: `Note ${XSS} ${HBS} {{supporter.email}}`,
}

t.test('script tags and Handlebars syntax come back escaped on pages', async (t) => {
  const app = await build(t)
  const session = await formSession(app, '/campaigns/zhanaozen')
  // The preview re-render and the 422 re-render both echo every field.
  for (const extra of [{ intent: 'preview', target: '1' }, { target: '' }] as Record<string, string>[]) {
    const res = await postForm(app, '/campaigns/zhanaozen/letters', { ...hostile, ...extra }, session)
    t.notMatch(res.body, '<script>alert', 'no live script tag')
    t.notMatch(res.body, '<img src=x', 'no live img tag')
    t.match(res.body, '&lt;script&gt;alert(1)&lt;/script&gt;')
    t.match(res.body, '{{constructor.constructor', 'Handlebars syntax shown as text, not run')
    t.notMatch(res.body, 'eve@example.com</', 'supporter.email in a note is not filled in')
  }
})

t.test('…and in the mail: HTML part escaped, text part verbatim, nothing evaluated', async (t) => {
  const server = new TestSmtp()
  await server.start()
  t.teardown(() => server.stop())
  const app = await build(t, { env: { SMTP_URL: server.url } })
  const res = await app.inject({ method: 'POST', url: '/api/campaigns/zhanaozen/letters', headers: { 'content-type': 'application/json' }, payload: { ...hostile, targetId: 1, copy: true } })
  t.equal(res.statusCode, 201)
  await app.dispatcher.drain()
  // The letter only: a copy goes to confirmed addresses alone (test/letters/privacy.test.ts).
  t.equal(server.received.length, 1)
  for (const mail of server.received) {
    t.notMatch(mail.parsed.html, '<script>', 'HTML part has no script tag')
    t.notMatch(mail.parsed.html, '<img src=x')
    t.match(mail.parsed.html, '&lt;script&gt;')
    t.match(mail.parsed.text, XSS, 'the plain-text part shows what they typed')
    t.match(mail.parsed.text, HBS)
    t.match(mail.parsed.text, '{{supporter.email}}', 'not filled in')
  }
  const letter = server.to('president@akorda.example.org')[0]!
  t.equal(letter.parsed.from?.value[0]?.name, `Eve ${XSS} via Outcry`, 'display name is data, encoded')
})

t.test('CR/LF in name or email is refused and adds no header', async (t) => {
  const app = await build(t)
  for (const field of ['name', 'email', 'city', 'organisation']) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/campaigns/zhanaozen/letters',
      headers: { 'content-type': 'application/json' },
      payload: { ...hostile, email: 'eve@example.com', [field]: field === 'email' ? 'eve@example.com\r\nBcc: all@example.com' : 'Eve\r\nBcc: all@example.com', targetId: 1 },
    })
    t.equal(res.statusCode, 422, field)
    t.equal(res.json().issues[0].path[0], field)
  }
  t.equal(tableCount(app, 'letters'), 0)
})

t.test('even a name with CR/LF that reached the database cannot forge headers', async (t) => {
  const server = new TestSmtp()
  await server.start()
  t.teardown(() => server.stop())
  const app = await build(t, { env: { SMTP_URL: server.url } })
  const campaign = (await app.db.query.campaigns.findFirst())!
  const target = (await app.db.query.targets.findFirst())!
  const message = letterToOfficial(mailSettings(app.config), campaign, target, {
    publicId: 'x1',
    supporterName: 'Eve\r\nBcc: victim@example.com',
    supporterEmail: 'eve@example.com',
    subject: 'Hello\r\nBcc: victim@example.com',
  } as never)
  await app.mailer.send(message)
  const mail = server.received[0]!
  t.same(mail.envelopeTo, ['president@akorda.example.org'], 'no extra recipient')
  t.notOk(mail.parsed.headers.get('bcc'))
  t.notMatch(mail.raw.split(/\r?\n\r?\n/)[0], /^Bcc:/m, 'no Bcc line among the headers')
})

t.test('over-long fields are refused with a message', async (t) => {
  const app = await build(t)
  const session = await formSession(app, '/campaigns/zhanaozen')
  const res = await postForm(app, '/campaigns/zhanaozen/letters', { ...hostile, name: 'n'.repeat(101), city: 'c'.repeat(101), note: 'x'.repeat(2001), target: '1' }, session)
  t.equal(res.statusCode, 422)
  t.match(res.body, 'Name must be at most 100 characters')
  t.match(res.body, 'City must be at most 100 characters')
  t.match(res.body, 'Note must be at most 2,000 characters')
  const huge = await app.inject({ method: 'POST', url: '/api/campaigns/zhanaozen/letters', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ note: 'x'.repeat(400_000) }) })
  t.equal(huge.statusCode, 413)
  t.match(huge.json(), { error: 'The request body is too large' })
  t.equal(tableCount(app, 'letters'), 0)
})

t.test('repeated fields (arrays for scalars) are refused, not crashed on', async (t) => {
  const app = await build(t)
  const session = await formSession(app, '/campaigns/zhanaozen')
  const res = await postForm(app, '/campaigns/zhanaozen/letters', { ...hostile, name: ['a', 'b'], target: ['1', '{{x}}'], copy: ['on', 'on'] }, session)
  t.equal(res.statusCode, 422)
  t.match(res.body, /id="name-error"/)
  t.match(res.body, /id="target-error"/)
})
