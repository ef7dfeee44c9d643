// npm run token:create -- --email you@example.org [--name "Branch spreadsheet"]
// Creates an API token for an existing, active user and prints it alone on the last line.
import { parseArgs } from 'node:util'
import { loadConfig } from '../config.js'
import { openDatabase } from '../db/client.js'
import { email as emailSchema } from '../validation.js'
import { userByEmail } from '../admin/users.js'
import { createApiToken } from '../admin/api.js'
import { audit } from '../admin/audit.js'
import { tokenName } from '../admin/token-routes.js'

const usage = 'Usage: npm run token:create -- --email you@example.org [--name "what the token is for"]'
let values: { email?: string; name?: string }
try {
  values = parseArgs({ options: { email: { type: 'string' }, name: { type: 'string' } } }).values
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err))
  console.error(usage)
  process.exit(2)
}
const email = emailSchema.safeParse(values.email ?? '')
const name = tokenName.safeParse(values.name ?? 'command line')
if (!email.success || !name.success) {
  if (!name.success) console.error(name.error.issues[0]?.message)
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
  const created = createApiToken(tx, user.id, name.data, now)
  audit(tx, null, 'token.create_cli', { subject: `token:${created.id}`, detail: { userId: user.id, name: name.data, prefix: created.token.slice(0, 10) } }, now)
  return { user, token: created.token }
})
database.close()
if ('error' in result) {
  console.error(result.error)
  process.exit(1)
}
console.log(`API token "${name.data}" created for ${result.user.email} (${result.user.role}). It is shown only this once:`)
console.log(result.token)
