import t from 'tap'
import { build, formSession, postForm } from '../helper.js'
import { addUser, signIn, PASSWORD } from './helper.js'

t.test('sign in, see the back office, sign out', async (t) => {
  const app = await build(t)
  await addUser(app, 'admin@example.org', 'admin')
  const anonymous = await app.inject('/admin')
  t.equal(anonymous.statusCode, 303)
  t.equal(anonymous.headers.location, '/admin/login?next=%2Fadmin')

  const browser = await signIn(app, 'Admin@Example.org ')
  const home = await browser.get('/admin')
  t.equal(home.statusCode, 200)
  t.match(home.body, 'Free the Zhanaozen oil workers')
  t.match(home.body, 'Signed in as admin@example.org')

  const out = await browser.post('/admin/logout')
  t.equal(out.statusCode, 303)
  t.equal((await browser.get('/admin')).statusCode, 303, 'signed out')
})

t.test('the session cookie: HttpOnly, SameSite=Lax, path /admin, Secure in production, new id at sign-in', async (t) => {
  const app = await build(t)
  await addUser(app, 'admin@example.org', 'admin')
  const session = await formSession(app, '/admin/login')
  const res = await postForm(app, '/admin/login', { email: 'admin@example.org', password: PASSWORD }, session)
  const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('outcry_admin='))!
  t.ok(cookie, 'session cookie set')
  t.match(cookie, /HttpOnly/i)
  t.match(cookie, /SameSite=Lax/i)
  t.match(cookie, /Path=\/admin/)
  t.notMatch(cookie, /Secure/)

  // A session id planted before sign-in is not the one after it.
  const planted = 'outcry_admin=planted.value'
  const fixed = await app.inject({ method: 'POST', url: '/admin/login', headers: { cookie: `${session.cookie}; ${planted}`, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: session.token, email: 'admin@example.org', password: PASSWORD }).toString() })
  const after = ([] as string[]).concat(fixed.headers['set-cookie'] ?? []).find((c) => c.startsWith('outcry_admin='))!
  t.notMatch(after, 'planted')

  // Production sits behind a TLS-terminating proxy.
  const prod = await build(t, { env: { NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40), BASE_URL: 'https://outcry.example.org', TRUST_PROXY: '127.0.0.1' } })
  await addUser(prod, 'admin@example.org', 'admin')
  const page = await prod.inject({ url: '/admin/login', headers: { 'x-forwarded-proto': 'https' } })
  const csrfCookie = ([] as string[]).concat(page.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ')
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!
  const res2 = await prod.inject({ method: 'POST', url: '/admin/login', headers: { 'x-forwarded-proto': 'https', cookie: csrfCookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: token, email: 'admin@example.org', password: PASSWORD }).toString() })
  t.equal(res2.statusCode, 303)
  t.match(([] as string[]).concat(res2.headers['set-cookie'] ?? []).find((c) => c.startsWith('outcry_admin=')), /Secure/)
})

t.test('a wrong email and a wrong password get the same answer', async (t) => {
  const app = await build(t)
  await addUser(app, 'admin@example.org', 'admin')
  const session = await formSession(app, '/admin/login')
  const wrongPassword = await postForm(app, '/admin/login', { email: 'admin@example.org', password: 'nope nope nope' }, session)
  const wrongEmail = await postForm(app, '/admin/login', { email: 'nobody@example.org', password: 'nope nope nope' }, session)
  t.equal(wrongPassword.statusCode, 401)
  t.equal(wrongEmail.statusCode, 401)
  const message = (body: string) => /role="alert"[^>]*>([^<]+)</.exec(body)?.[1]
  t.equal(message(wrongPassword.body), 'The email or password is not right.')
  t.equal(message(wrongEmail.body), message(wrongPassword.body))
})

t.test('failed sign-ins are limited per account and per address', async (t) => {
  const app = await build(t)
  await addUser(app, 'admin@example.org', 'admin')
  const session = await formSession(app, '/admin/login')
  for (let i = 0; i < 5; i++) t.equal((await postForm(app, '/admin/login', { email: 'admin@example.org', password: 'wrong' }, session)).statusCode, 401)
  const limited = await postForm(app, '/admin/login', { email: 'admin@example.org', password: PASSWORD }, session)
  t.equal(limited.statusCode, 429, 'even the right password waits')
  t.ok(Number(limited.headers['retry-after']) > 0)
  t.match(limited.body, 'Too many failed sign-ins')

  for (let i = 0; i < 20; i++) await postForm(app, '/admin/login', { email: `other${i}@example.org`, password: 'wrong' }, session)
  await addUser(app, 'second@example.org', 'admin')
  t.equal((await postForm(app, '/admin/login', { email: 'second@example.org', password: PASSWORD }, session)).statusCode, 429, 'the address is limited too')
})

t.test('every sign-in attempt is rate limited per address (LOGIN_RATE_LIMIT), RATE_LIMITS=off lifts it', async (t) => {
  const app = await build(t, { env: { RATE_LIMITS: 'on', LOGIN_RATE_LIMIT: '3' } })
  await addUser(app, 'admin@example.org', 'admin')
  const session = await formSession(app, '/admin/login')
  for (let i = 0; i < 3; i++) t.equal((await postForm(app, '/admin/login', { email: 'admin@example.org', password: PASSWORD }, session)).statusCode, 303)
  const limited = await postForm(app, '/admin/login', { email: 'admin@example.org', password: PASSWORD }, session)
  t.equal(limited.statusCode, 429, 'the fourth in a minute waits, right password or not')
  t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After set')
  t.match(limited.headers['content-type'], 'text/html')
  t.match(limited.body, 'Please wait a minute')

  const off = await build(t, { env: { RATE_LIMITS: 'off', LOGIN_RATE_LIMIT: '1' } })
  await addUser(off, 'admin@example.org', 'admin')
  const offSession = await formSession(off, '/admin/login')
  for (let i = 0; i < 3; i++) t.equal((await postForm(off, '/admin/login', { email: 'admin@example.org', password: PASSWORD }, offSession)).statusCode, 303)
})

t.test('sessions expire', async (t) => {
  const { TestClock } = await import('../helper.js')
  const clock = new TestClock()
  const app = await build(t, { clock: clock.now })
  await addUser(app, 'admin@example.org', 'admin')
  const browser = await signIn(app, 'admin@example.org')
  t.equal((await browser.get('/admin')).statusCode, 200)
  clock.advance(9 * 3_600_000)
  t.equal((await browser.get('/admin')).statusCode, 303, 'after 8 hours idle the session is gone')
})

t.test('failed sign-ins count per account and address together: nobody can make someone else wait from elsewhere', async (t) => {
  const { TestClock } = await import('../helper.js')
  const clock = new TestClock()
  const app = await build(t, { clock: clock.now })
  await addUser(app, 'admin@example.org', 'admin')
  const session = await formSession(app, '/admin/login')
  const login = (password: string, remoteAddress: string, email = 'admin@example.org') =>
    app.inject({ method: 'POST', url: '/admin/login', remoteAddress, headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: session.token, email, password }).toString() })

  // The attacker fails many times from their own address.
  for (let i = 0; i < 5; i++) t.equal((await login('wrong', '203.0.113.66')).statusCode, 401)
  t.equal((await login(PASSWORD, '203.0.113.66')).statusCode, 429, 'the attacker waits')
  // The account's owner, elsewhere, is not affected.
  t.equal((await login(PASSWORD, '198.51.100.10')).statusCode, 303, 'the owner signs in from their own address')
  t.equal((await login('typo', '198.51.100.10')).statusCode, 401, 'and their own failures start from nothing')
})

t.test('after the free failures, the wait doubles instead of a long lock', async (t) => {
  const { TestClock } = await import('../helper.js')
  const clock = new TestClock()
  const app = await build(t, { clock: clock.now })
  await addUser(app, 'admin@example.org', 'admin')
  const session = await formSession(app, '/admin/login')
  const login = (password: string) => postForm(app, '/admin/login', { email: 'admin@example.org', password }, session)

  for (let i = 0; i < 5; i++) t.equal((await login('wrong')).statusCode, 401)
  const first = await login('wrong')
  t.equal(first.statusCode, 429)
  t.equal(first.headers['retry-after'], '30', 'a first wait of 30 seconds')
  t.match(first.body, 'Please wait 30 seconds')
  clock.advance(30_000)
  t.equal((await login('wrong')).statusCode, 401, 'the wait is over: another try')
  const second = await login('wrong')
  t.equal(second.headers['retry-after'], '60', 'then 60')
  clock.advance(60_000)
  t.equal((await login('wrong')).statusCode, 401)
  t.equal((await login('wrong')).headers['retry-after'], '120', 'then 120')
  for (let i = 0; i < 6; i++) {
    clock.advance(15 * 60_000)
    await login('wrong')
  }
  t.equal((await login('wrong')).headers['retry-after'], '900', 'never more than 15 minutes')
  clock.advance(15 * 60_000)
  t.equal((await login(PASSWORD)).statusCode, 303, 'whoever knows the password gets in once the wait is over')
  t.equal((await login('wrong')).statusCode, 401, 'a success starts the count again')
})

t.test('a session ends 8 hours after sign-in, however busy', async (t) => {
  const { TestClock } = await import('../helper.js')
  const clock = new TestClock()
  const app = await build(t, { clock: clock.now })
  await addUser(app, 'admin@example.org', 'admin')
  const browser = await signIn(app, 'admin@example.org')
  for (let hour = 1; hour < 8; hour++) {
    clock.advance(3_600_000)
    t.equal((await browser.get('/admin')).statusCode, 200, `busy at hour ${hour}`)
  }
  clock.advance(3_600_000 - 1000)
  t.equal((await browser.get('/admin')).statusCode, 200, 'just before 8 hours')
  clock.advance(1000)
  const ended = await browser.get('/admin')
  t.equal(ended.statusCode, 303, '8 hours after sign-in, though active every hour')
  t.match(ended.headers.location, '/admin/login')
  const post = await browser.post('/admin/users/invite', { email: 'x@example.org', role: 'admin' })
  t.equal(post.statusCode, 401)
  // Signing in again works from the same browser.
  const again = await signIn(app, 'admin@example.org')
  t.equal((await again.get('/admin')).statusCode, 200)
})

t.test('sign-out clears the session cookie', async (t) => {
  const app = await build(t)
  await addUser(app, 'admin@example.org', 'admin')
  const browser = await signIn(app, 'admin@example.org')
  const cookieBefore = browser.cookie
  const out = await app.inject({ method: 'POST', url: '/admin/logout', headers: { cookie: browser.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: browser.token }).toString() })
  t.equal(out.statusCode, 303)
  const cleared = ([] as string[]).concat(out.headers['set-cookie'] ?? []).find((c) => c.startsWith('outcry_admin='))
  t.ok(cleared, 'a Set-Cookie for outcry_admin')
  t.match(cleared, /Path=\/admin/)
  t.match(cleared, /Expires=Thu, 01 Jan 1970|Max-Age=0/)
  t.equal((await app.inject({ url: '/admin', headers: { cookie: cookieBefore } })).statusCode, 303, 'the old cookie opens nothing')
})
