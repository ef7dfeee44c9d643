import t from 'tap'
import { build, formSession, postForm, supporter, tableCount } from '../helper.js'

const page = '/campaigns/zhanaozen'
const action = '/campaigns/zhanaozen/letters'
const valid = { ...supporter, target: '1', language: 'en', note: '', copy: 'on' }

t.test('home lists live campaigns with their progress', async (t) => {
  const app = await build(t)
  const res = await app.inject('/')
  t.equal(res.statusCode, 200)
  t.match(res.body, 'Free the Zhanaozen oil workers')
  t.match(res.body, /role="progressbar"[^>]*aria-valuemax="11000" aria-valuenow="0"/)
  t.match(res.body, '11,000 letters to go')
  t.match(res.body, '0</strong> of 11,000 letters')
})

t.test('the campaign page shows story, people, officials and the form', async (t) => {
  const app = await build(t, { confirmLetters: true })
  const res = await app.inject(page)
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], 'text/html')
  for (const text of ['Roza Tuletaeva', 'moved to a colony-settlement', 'Kanat Zhusipbaev', 'Shabdal Utkilov', 'jailed', 'Nursultan Nazarbayev', 'Askhat Daulbayev', 'of 11,000 letters', 'name="_csrf"', 'Preview my letter', 'Send me a copy', 'You may contact me']) {
    t.match(res.body, text)
  }
  t.match(res.body, /<option value="ru"/, 'language choice')
  t.match(res.headers['content-security-policy'], "script-src 'self'")
  t.equal((await app.inject('/campaigns/nope')).statusCode, 404)
  t.match((await app.inject('/campaigns/nope')).body, 'no campaign at this address')
})

t.test('send: 303 to the thank-you page with the new tally', async (t) => {
  const app = await build(t)
  const session = await formSession(app, page)
  const res = await postForm(app, action, valid, session)
  t.equal(res.statusCode, 303)
  // The officials chosen and the supporter's country (for the nearest picket), nothing else.
  t.equal(res.headers.location, '/campaigns/zhanaozen/thanks?to=1&country=GB#thanks')
  const thanks = await app.inject('/campaigns/zhanaozen/thanks')
  t.equal(thanks.statusCode, 200)
  t.match(thanks.body, 'your letter is on its way')
  t.match(thanks.body, '1</strong> of 11,000 letters')
  t.match(thanks.body, 'http://outcry.test/campaigns/zhanaozen', 'share link uses BASE_URL')
  t.equal(tableCount(app, 'letters'), 1)
  // Without confirmation the copy is not offered, and not sent if asked for (issue 11).
  t.equal(tableCount(app, 'outbox', "kind = 'letter_copy'"), 0, 'no copy to an unconfirmed address')
  t.notMatch((await app.inject(page)).body, 'Send me a copy')
})

t.test('preview re-renders the page with the appeal filled in, and saves nothing', async (t) => {
  const app = await build(t)
  const session = await formSession(app, page)
  const res = await postForm(app, action, { ...valid, target: '2', language: 'ru', note: 'Свободу!', intent: 'preview' }, session)
  t.equal(res.statusCode, 200)
  t.match(res.body, 'data-preview-body')
  t.match(res.body, 'Уважаемый Асхат Кайзуллаевич!')
  t.match(res.body, 'Roza T.')
  t.match(res.body, 'Свободу!')
  t.match(res.body, 'Великобритания', 'country name in the letter language')
  t.match(res.body, 'value="Roza T."', 'values kept')
  t.equal(tableCount(app, 'letters'), 0)
})

t.test('invalid input: 422, a message beside each bad field, the values kept', async (t) => {
  const app = await build(t)
  const session = await formSession(app, page)
  const res = await postForm(app, action, { name: '', email: 'nope', country: 'XX', city: 'Leeds', organisation: 'Unite', note: 'keep me', target: '' }, session)
  t.equal(res.statusCode, 422)
  t.match(res.body, 'Please correct the fields marked below')
  t.match(res.body, /id="name-error"[^>]*>Please enter your name/)
  t.match(res.body, /id="email-error"[^>]*>Please enter a valid email address/)
  t.match(res.body, /id="country-error"/)
  t.match(res.body, /id="target-error"[^>]*>Please choose an official/)
  t.notMatch(res.body, /id="city-error"/)
  t.match(res.body, 'value="nope"')
  t.match(res.body, 'value="Leeds"')
  t.match(res.body, '>keep me</textarea>')
  t.match(res.body, 'name="_csrf"', 'a fresh form to try again')
  t.equal(tableCount(app, 'letters'), 0)
})

t.test('an official from another campaign or a bad language is refused beside the field', async (t) => {
  const app = await build(t)
  const session = await formSession(app, page)
  const res = await postForm(app, action, { ...valid, target: '77', language: 'de' }, session)
  t.equal(res.statusCode, 422)
  t.match(res.body, /id="target-error"[^>]*>Please choose one of the officials listed/)
  t.match(res.body, /id="language-error"/)
})

t.test('language defaults to the campaign first one', async (t) => {
  const app = await build(t)
  const session = await formSession(app, page)
  const { language, ...rest } = valid
  t.equal((await postForm(app, action, rest, session)).statusCode, 303)
  t.equal((await app.db.query.letters.findFirst())?.language, 'en')
})

t.test('a repeat gets the same page as a first letter', async (t) => {
  const app = await build(t)
  const session = await formSession(app, page)
  const first = await postForm(app, action, valid, session)
  const again = await postForm(app, action, { ...valid, email: 'Roza@Example.com' }, session)
  t.equal(again.statusCode, first.statusCode)
  t.equal(again.headers.location, first.headers.location)
  t.equal(tableCount(app, 'letters'), 1)
})

t.test('a POST without a valid CSRF token is refused and changes nothing', async (t) => {
  const app = await build(t)
  const session = await formSession(app, page)
  const noToken = await postForm(app, action, valid, { cookie: session.cookie, token: '' })
  t.equal(noToken.statusCode, 403)
  const noCookie = await postForm(app, action, valid, { cookie: '', token: session.token })
  t.equal(noCookie.statusCode, 403)
  t.match(noCookie.body, 'reload the page')
  t.equal(tableCount(app, 'letters'), 0)
})

t.test('a closed campaign: no form, POST is 409 with a reason; a draft is not found', async (t) => {
  const app = await build(t)
  const session = await formSession(app, page)
  app.db.$client.prepare(`update campaigns set status = 'closed' where slug = 'zhanaozen'`).run()
  const view = await app.inject(page)
  t.notMatch(view.body, 'id="letter-form"', 'closed: no form')
  t.match(view.body, 'has closed')
  const res = await postForm(app, action, valid, session)
  t.equal(res.statusCode, 409)
  t.match(res.body, 'has closed')
  app.db.$client.prepare(`update campaigns set status = 'draft' where slug = 'zhanaozen'`).run()
  t.equal((await app.inject(page)).statusCode, 404, 'draft: the page is private')
  t.equal((await postForm(app, action, valid, session)).statusCode, 404, 'draft: as if it did not exist')
  t.equal(tableCount(app, 'letters'), 0)
})

t.test('unknown campaign POST is a 404 page', async (t) => {
  const app = await build(t)
  const session = await formSession(app, page)
  const res = await postForm(app, '/campaigns/nope/letters', valid, session)
  t.equal(res.statusCode, 404)
  t.match(res.headers['content-type'], 'text/html')
})

t.test('the live preview endpoint answers JSON for the page script', async (t) => {
  const app = await build(t)
  const res = await app.inject({
    method: 'POST',
    url: '/campaigns/zhanaozen/preview',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'name=Ann&city=Oslo&country=no&target=1&language=en',
  })
  t.equal(res.statusCode, 200)
  t.match(res.json(), { subject: 'Free the Zhanaozen oil workers', body: /I am writing from Oslo, Norway/, target: 'Nursultan Nazarbayev' })
  t.match(res.json().body, /Ann/)
})

t.test('a malformed country is a message beside the field, not a crash (found by the fuzz suite)', async (t) => {
  const app = await build(t)
  const session = await formSession(app, page)
  for (const country of ['abc', '\u0000', '12']) {
    const res = await postForm(app, action, { ...valid, country }, session)
    t.equal(res.statusCode, 422, JSON.stringify(country))
    t.match(res.body, /id="country-error"/)
  }
})
