// npm run token:create -- --email you@example.org [--name "Branch spreadsheet"] [--days 90]
// Creates an API token for an existing, active user and prints it alone on the last line.
// The token expires after --days (default 90, at most 365).
import { parseArgs } from 'node:util'
import { loadConfig } from '../config.js'
import { openDatabase } from '../db/client.js'
import { email as emailSchema } from '../validation.js'
import { userByEmail } from '../admin/users.js'
import { createApiToken, TOKEN_DAYS } from '../admin/api.js'
import { audit } from '../admin/audit.js'
import { tokenDays, tokenName } from '../admin/token-routes.js'

const usage = `Usage: npm run token:create -- --email you@example.org [--name "what the token is for"] [--days ${TOKEN_DAYS}]`
let values: { email?: string; name?: string; days?: string }
try {
  values = parseArgs({ options: { email: { type: 'string' }, name: { type: 'string' }, days: { type: 'string' } } }).values
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err))
  console.error(usage)
  process.exit(2)
}
const email = emailSchema.safeParse(values.email ?? '')
const name = tokenName.safeParse(values.name ?? 'command line')
const days = tokenDays.safeParse(values.days ?? String(TOKEN_DAYS))
if (!email.success || !name.success || !days.success) {
  if (!name.success) console.error(name.error.issues[0]?.message)
  if (!days.success) console.error(`--days: ${days.error.issues[0]?.message}`)
  console.error(usage)
  process.exit(2)
}

const config = loadConfig()
const database = openDatabase(config.databasePath)
const now = new Date()
const result = database.db.transaction((tx) => {
  const user = userByEmail(tx, email.data)
  if (!user) return { error: `No user ${email.data}. Invite them on /admin/users first.` }
  if (user.disabledAt) return { error: `${user.email} is disabled; enable the account on /admin/users/${user.id} first.` }
  if (!user.passwordHash) return { error: `${user.email} has not accepted their invitation yet; a token would not work until they do.` }
  const created = createApiToken(tx, user.id, name.data, now, days.data)
  audit(tx, null, 'token.create_cli', { subject: `token:${created.id}`, detail: { userId: user.id, name: name.data, prefix: created.token.slice(0, 10), expiresAt: created.expiresAt.toISOString() } }, now)
  return { user, token: created.token, expiresAt: created.expiresAt }
})
database.close()
if ('error' in result) {
  console.error(result.error)
  process.exit(1)
}
console.log(`API token "${name.data}" created for ${result.user.email} (${result.user.role}), valid until ${result.expiresAt.toISOString().replace('T', ' ').slice(0, 16)} UTC. It is shown only this once:`)
console.log(result.token)
