import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { eq } from 'drizzle-orm'
import { build, tempDir } from '../helper.js'
import { signIn, PASSWORD } from './helper.js'
import { auditLog, campaigns, users } from '../../src/db/schema/index.js'

const run = promisify(execFile)

t.test('npm run admin:create -- --role organizer --campaign <slug>: an organizer of those campaigns, from the command line', async (t) => {
  const dir = tempDir(t)
  const app = await build(t, { dir })
  const now = app.clock()
  app.db.insert(campaigns).values({ slug: 'second', title: 'Second campaign', goal: 10, languages: ['en'], createdAt: now, updatedAt: now }).run()
  app.db.insert(campaigns).values({ slug: 'third', title: 'Third campaign', goal: 10, languages: ['en'], createdAt: now, updatedAt: now }).run()
  const env = { ...process.env, NODE_ENV: 'test', DATABASE_PATH: path.join(dir, 'outcry.db'), LOG_LEVEL: 'silent', ADMIN_PASSWORD: PASSWORD }
  const cli = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/admin-create.ts', ...args], { env })
      return { code: 0, stdout, stderr }
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string }
      return { code: e.code, stdout: e.stdout, stderr: e.stderr }
    }
  }

  const made = await cli('--email', 'Org@Example.org', '--role', 'organizer', '--campaign', 'zhanaozen', '--campaign', 'second')
  t.equal(made.code, 0, made.stderr)
  t.match(made.stdout, 'Organizer org@example.org for zhanaozen, second created')
  const user = app.db.select().from(users).where(eq(users.email, 'org@example.org')).get()!
  t.equal(user.role, 'organizer')

  // The organizer signs in and runs exactly those campaigns.
  const org = await signIn(app, 'org@example.org')
  const ids = Object.fromEntries(app.db.select({ slug: campaigns.slug, id: campaigns.id }).from(campaigns).all().map((c) => [c.slug, c.id]))
  t.equal((await org.get(`/admin/campaigns/${ids.zhanaozen}/templates`)).statusCode, 200)
  t.equal((await org.get(`/admin/campaigns/${ids.second}/templates`)).statusCode, 200)
  t.equal((await org.get(`/admin/campaigns/${ids.third}/templates`)).statusCode, 404, 'not a campaign they were not given')
  t.equal((await org.get('/admin/users')).statusCode, 404, 'not an admin')
  t.match(app.db.select().from(auditLog).where(eq(auditLog.action, 'user.organizer_created_cli')).get(), { subject: `user:${user.id}`, detail: { campaigns: [ids.zhanaozen, ids.second] } })

  const unknown = await cli('--email', 'new@example.org', '--role', 'organizer', '--campaign', 'zhanaozen', '--campaign', 'nope')
  t.equal(unknown.code, 2, 'an unknown slug')
  t.match(unknown.stderr, 'No campaign with the slug "nope". Campaigns: zhanaozen, second, third. Nothing was changed.')
  t.notMatch(unknown.stderr, /at .*\.ts:\d+/, 'a message, not a stack trace')
  t.equal(app.db.select().from(users).where(eq(users.email, 'new@example.org')).get(), undefined)

  const badRole = await cli('--email', 'new@example.org', '--role', 'boss')
  t.equal(badRole.code, 2, 'a bad role')
  t.match(badRole.stderr, '--role must be admin or organizer, not "boss"')
  const adminWithCampaign = await cli('--email', 'new@example.org', '--role', 'admin', '--campaign', 'second')
  t.equal(adminWithCampaign.code, 2)
  t.match(adminWithCampaign.stderr, '--campaign is for --role organizer')
  const unknownOption = await cli('--email', 'new@example.org', '--rol', 'organizer')
  t.equal(unknownOption.code, 2)
  t.match(unknownOption.stderr, 'Usage: npm run admin:create')

  // Again for the same organizer: their password is set and a campaign added.
  const again = await cli('--email', 'org@example.org', '--role', 'organizer', '--campaign', 'third')
  t.equal(again.code, 0, again.stderr)
  t.equal((await org.get(`/admin/campaigns/${ids.third}/templates`)).statusCode, 200, 'the campaign is added')
  const otherRole = await cli('--email', 'org@example.org')
  t.equal(otherRole.code, 1, 'an organizer is not made an admin')
  t.match(otherRole.stderr, 'exists as an organizer')

  // The first admin, as before.
  const admin = await cli('--email', 'admin@example.org')
  t.equal(admin.code, 0, admin.stderr)
  t.match(admin.stdout, 'Admin admin@example.org created')
  t.equal(app.db.select().from(users).where(eq(users.email, 'admin@example.org')).get()!.role, 'admin')
})
