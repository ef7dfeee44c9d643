// npm run admin:create -- --email you@example.org [--name "Your Name"] [--role organizer --campaign <slug> …]
// Creates a user who can sign in at once: the first admin by default, or an organizer assigned to the
// campaigns named by --campaign (repeatable, by slug). Run again for an existing user of the same role,
// it sets their password and adds the campaigns. The password comes from ADMIN_PASSWORD, or is asked
// for on the terminal without echo. Exit codes: 0 done, 1 refused (the user exists with another role),
// 2 bad arguments (an unknown role or campaign, a short password).
import { parseArgs } from 'node:util'
import readline from 'node:readline'
import { inArray } from 'drizzle-orm'
import { loadConfig } from '../config.js'
import { openDatabase } from '../db/client.js'
import { campaigns, roles, type Role } from '../db/schema/index.js'
import { email as emailSchema } from '../validation.js'
import { hashPassword, MIN_PASSWORD } from '../admin/password.js'
import { assignCampaign, createUser, setPassword, userByEmail } from '../admin/users.js'
import { audit } from '../admin/audit.js'

const usage = 'Usage: npm run admin:create -- --email you@example.org [--name "Your Name"] [--role admin|organizer] [--campaign <slug> …]'
const fail = (message: string, code = 2): never => {
  console.error(message)
  process.exit(code)
}

let values: { email?: string; name?: string; role?: string; campaign?: string[] }
try {
  values = parseArgs({ options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, campaign: { type: 'string', multiple: true } } }).values
} catch (err) {
  fail(`${err instanceof Error ? err.message : String(err)}\n${usage}`)
}
const email = emailSchema.safeParse(values!.email ?? '')
if (!email.success) fail(usage)
const role = (values!.role ?? 'admin') as Role
if (!(roles as readonly string[]).includes(role)) fail(`--role must be ${roles.join(' or ')}, not "${values!.role}".\n${usage}`)
const slugs = [...new Set(values!.campaign ?? [])]
if (role === 'admin' && slugs.length) fail('Admins run every campaign: --campaign is for --role organizer.')

async function askPassword(): Promise<string> {
  if (process.env.ADMIN_PASSWORD) return process.env.ADMIN_PASSWORD
  if (!process.stdin.isTTY) fail('No terminal to ask for a password: set ADMIN_PASSWORD.')
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true })
  const ask = (q: string) =>
    new Promise<string>((resolve) => {
      const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput
      ;(rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
        if (s.startsWith(q)) write.call(rl, s)
      }
      rl.question(q, (answer) => {
        ;(rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = write
        process.stdout.write('\n')
        resolve(answer)
      })
    })
  const first = await ask('Password: ')
  const second = await ask('Again: ')
  rl.close()
  if (first !== second) fail('The two passwords differ.')
  return first
}

const password = await askPassword()
if (password.length < MIN_PASSWORD) fail(`Use at least ${MIN_PASSWORD} characters.`)
const config = loadConfig()
const database = openDatabase(config.databasePath)
const found = slugs.length ? database.db.select({ id: campaigns.id, slug: campaigns.slug }).from(campaigns).where(inArray(campaigns.slug, slugs)).all() : []
const unknown = slugs.filter((slug) => !found.some((c) => c.slug === slug))
if (unknown.length) {
  const known = database.db.select({ slug: campaigns.slug }).from(campaigns).orderBy(campaigns.id).all().map((c) => c.slug)
  database.close()
  fail(`No campaign with the slug ${unknown.map((s) => `"${s}"`).join(', ')}. ${known.length ? `Campaigns: ${known.join(', ')}.` : 'There is no campaign yet.'} Nothing was changed.`)
}
const campaignIds = slugs.map((slug) => found.find((c) => c.slug === slug)!.id)
const hash = await hashPassword(password)
const now = new Date()
const result = database.db.transaction((tx) => {
  const existing = userByEmail(tx, email.data!)
  if (existing) {
    if (existing.role !== role) return { kind: 'other-role' as const, role: existing.role }
    setPassword(tx, existing.id, hash, now)
    for (const id of campaignIds) assignCampaign(tx, existing.id, id)
    audit(tx, null, 'user.password_reset_cli', { subject: `user:${existing.id}`, detail: slugs.length ? { campaignsAdded: campaignIds } : {} }, now)
    return { kind: 'reset' as const, email: existing.email }
  }
  const user = createUser(tx, { email: email.data!, name: values!.name, role, passwordHash: hash }, now)
  for (const id of campaignIds) assignCampaign(tx, user.id, id)
  audit(tx, null, role === 'admin' ? 'user.admin_created_cli' : 'user.organizer_created_cli', { subject: `user:${user.id}`, detail: role === 'admin' ? {} : { campaigns: campaignIds } }, now)
  return { kind: 'created' as const, email: user.email }
})
database.close()
if (result.kind === 'other-role') fail(`${email.data} exists as ${result.role === 'admin' ? 'an admin' : 'an organizer'}; change their role on the People screen.`, 1)
const what = role === 'admin' ? 'Admin' : 'Organizer'
const of = slugs.length ? ` for ${slugs.join(', ')}` : role === 'organizer' ? ' (no campaign yet: assign them on the People screen)' : ''
console.log(result.kind === 'created' ? `${what} ${result.email}${of} created. Sign in at ${config.baseUrl}/admin` : `Password of ${what.toLowerCase()} ${result.email} changed${slugs.length ? `; campaigns added: ${slugs.join(', ')}` : ''}.`)
