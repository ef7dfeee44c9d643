// First run (issue 15): with no admin yet, the start log's one-time link makes the first admin in the browser.
import { execFile } from 'node:child_process'
import path from 'node:path'
import { Writable } from 'node:stream'
import { promisify } from 'node:util'
import t from 'tap'
import { eq } from 'drizzle-orm'
import { build, formSession, postForm, tempDir } from '../helper.js'
import { PASSWORD } from './helper.js'
import { firstRunLink } from '../../src/admin/setup-routes.js'
import { auditLog, users } from '../../src/db/schema/index.js'
import { translator } from '../../src/i18n/index.js'

const run = promisify(execFile)

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

const codeOf = (link: string) => {
  const m = /^http:\/\/outcry\.test\/admin\/setup#([\w-]{43})$/.exec(link)
  if (!m) throw new Error(`not a setup link: ${link}`)
  return m[1]!
}

/** The form as a browser sends it, the code moved from the link's fragment into the body. */
async function submit(app: Awaited<ReturnType<typeof build>>, fields: Record<string, string>, url = '/admin/setup') {
  const session = await formSession(app, url)
  return { session, res: await postForm(app, url, fields, session) }
}

t.test('no admin yet: the printed link makes the first admin once, signed in, audited, and the code is never logged', async (t) => {
  const log = capture()
  const app = await build(t, { logger: log.logger })
  t.equal((await app.inject({ url: '/admin/setup' })).statusCode, 404, 'closed until the server has printed a link')

  const link = firstRunLink(app)!
  const code = codeOf(link)
  t.not(codeOf(firstRunLink(app)!), code, 'a new code each start: the older link is dead')
  const fresh = codeOf(firstRunLink(app)!)

  const page = await app.inject({ url: '/admin/setup' })
  t.equal(page.statusCode, 200)
  t.match(page.body, '<h1>Set up Outcry</h1>')
  t.match(page.body, 'name="code"')
  t.match(page.body, /<script src="\/assets\/setup\.[0-9a-f]{10}\.js" defer><\/script>/, 'the script moves the code from the fragment into the form')
  t.equal(page.headers['cache-control'], 'no-store')

  // A wrong code: the plain 404, whatever else is right.
  const wrong = await submit(app, { code: code, email: 'first@example.org', password: PASSWORD, confirm: PASSWORD })
  t.equal(wrong.res.statusCode, 404, 'the code of an earlier start')
  const nothing = await app.inject({ url: '/admin/nothing-here' })
  const main = (html: string) => /<main[\s\S]*<\/main>/.exec(html)?.[0]
  t.equal(main(wrong.res.body), main(nothing.body), 'the same page as any missing one: no oracle')
  t.equal((await submit(app, { email: 'first@example.org', password: PASSWORD, confirm: PASSWORD })).res.statusCode, 404, 'no code')

  // A bad password: 422 in the page's language, the address kept, nobody created.
  const ru = translator('ru')
  const short = await submit(app, { code: fresh, email: 'first@example.org', password: 'short', confirm: 'short' }, '/admin/setup?lang=ru')
  t.equal(short.res.statusCode, 422)
  t.match(short.res.body, ru('admin.setPassword.tooShort', { min: 12 }), 'the rule in Russian')
  t.match(short.res.body, ru('setup.correct'))
  t.match(short.res.body, 'value="first@example.org"')
  const differ = await submit(app, { code: fresh, email: 'first@example.org', password: PASSWORD, confirm: `${PASSWORD}!` })
  t.equal(differ.res.statusCode, 422)
  t.match(differ.res.body, 'The two passwords differ')
  const badEmail = await submit(app, { code: fresh, email: 'not an address', password: PASSWORD, confirm: PASSWORD })
  t.equal(badEmail.res.statusCode, 422)
  t.equal(app.db.select().from(users).all().length, 0, 'nobody yet')

  // The right code: the first admin, signed in, on the dashboard.
  const made = await submit(app, { code: fresh, email: 'First@Example.org', password: PASSWORD, confirm: PASSWORD })
  t.equal(made.res.statusCode, 303)
  t.equal(made.res.headers.location, '/admin')
  const admin = app.db.select().from(users).where(eq(users.email, 'first@example.org')).get()!
  t.equal(admin.role, 'admin')
  const cookies = ([] as string[]).concat(made.res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ')
  const home = await app.inject({ url: '/admin', headers: { cookie: cookies } })
  t.equal(home.statusCode, 200, 'signed in')
  t.match(home.body, 'Signed in as first@example.org (admin)')
  t.match(app.db.select().from(auditLog).where(eq(auditLog.action, 'user.admin_created_setup')).get(), { userId: admin.id, subject: `user:${admin.id}` })
  const auditPage = await app.inject({ url: '/admin/audit', headers: { cookie: cookies } })
  t.match(auditPage.body, 'First admin created (setup link)')

  // Used: the link is dead, and so is the page.
  t.equal((await app.inject({ url: '/admin/setup' })).statusCode, 404, 'the page is gone')
  const again = await postForm(app, '/admin/setup', { code: fresh, email: 'second@example.org', password: PASSWORD, confirm: PASSWORD }, made.session)
  t.equal(again.statusCode, 404, 'a second use: 404')
  t.equal(app.db.select().from(users).all().length, 1)
  t.equal(firstRunLink(app), null, 'nothing printed at the next start')

  const text = log.lines.join('\n')
  t.ok(log.lines.some((l) => l.includes('"url":"/admin/setup'), 'the setup requests are logged'))
  for (const c of [code, fresh]) t.notMatch(text, c, 'no setup code in any log line')
})

t.test('an admin made with npm run admin:create closes the setup at once, link printed or not', async (t) => {
  const dir = tempDir(t)
  const app = await build(t, { dir, seed: false })
  const code = codeOf(firstRunLink(app)!)
  t.equal((await app.inject({ url: '/admin/setup' })).statusCode, 200, 'open while there is no admin')
  const env = { ...process.env, NODE_ENV: 'test', DATABASE_PATH: path.join(dir, 'outcry.db'), LOG_LEVEL: 'silent', ADMIN_PASSWORD: PASSWORD }
  const cli = await run(process.execPath, ['--import', 'tsx', 'src/cli/admin-create.ts', '--email', 'cli@example.org'], { env })
  t.match(cli.stdout, 'Admin cli@example.org created')
  t.equal((await app.inject({ url: '/admin/setup' })).statusCode, 404, 'the page is gone')
  t.equal((await app.inject({ url: `/admin/setup?lang=ru` })).statusCode, 404)
  // The form fetched before the CLI ran, sent after: 404.
  const session = await formSession(app, '/admin/login')
  const late = await postForm(app, '/admin/setup', { code, email: 'late@example.org', password: PASSWORD, confirm: PASSWORD }, session)
  t.equal(late.statusCode, 404)
  t.equal(app.db.select().from(users).all().length, 1, 'only the CLI’s admin')
  t.equal(firstRunLink(app), null)
})

t.test('wrong codes wait like failed sign-ins; the page is JSON-free and never a 500', async (t) => {
  const app = await build(t, { seed: false })
  const code = codeOf(firstRunLink(app)!)
  const session = await formSession(app, '/admin/setup')
  const codes: number[] = []
  for (let i = 0; i < 6; i++) codes.push((await postForm(app, '/admin/setup', { code: `guess-${i}`, email: 'x@example.org', password: PASSWORD, confirm: PASSWORD }, session)).statusCode)
  t.same(codes, [404, 404, 404, 404, 404, 429], 'five free guesses, then a wait')
  const right = await postForm(app, '/admin/setup', { code, email: 'x@example.org', password: PASSWORD, confirm: PASSWORD }, session)
  t.equal(right.statusCode, 429, 'even the right code waits: guessing gains nothing')
  // Odd bodies: arrays, a missing form, a huge code.
  for (const fields of [{ code: [code, code] }, {}, { code: 'x'.repeat(5000) }] as Record<string, string | string[]>[]) {
    const app2 = await build(t, { seed: false })
    firstRunLink(app2)
    const s = await formSession(app2, '/admin/setup')
    const res = await postForm(app2, '/admin/setup', fields, s)
    t.equal(res.statusCode, 404, `refused: ${JSON.stringify(fields).slice(0, 40)}`)
  }
  const noCsrf = await app.inject({ method: 'POST', url: '/admin/setup', payload: { code, email: 'x@example.org', password: PASSWORD, confirm: PASSWORD } })
  t.equal(noCsrf.statusCode, 403, 'a form without its CSRF token')
})
