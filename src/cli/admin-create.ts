// npm run admin:create -- --email you@example.org [--name "Your Name"]
// Creates the first admin (or resets an admin's password). The password comes from ADMIN_PASSWORD,
// or is asked for on the terminal without echo.
import { parseArgs } from 'node:util'
import readline from 'node:readline'
import { loadConfig } from '../config.js'
import { openDatabase } from '../db/client.js'
import { email as emailSchema } from '../validation.js'
import { hashPassword, MIN_PASSWORD } from '../admin/password.js'
import { createUser, setPassword, userByEmail } from '../admin/users.js'
import { audit } from '../admin/audit.js'

const { values } = parseArgs({ options: { email: { type: 'string' }, name: { type: 'string' } } })
const email = emailSchema.safeParse(values.email ?? '')
if (!email.success) {
  console.error('Usage: npm run admin:create -- --email you@example.org [--name "Your Name"]')
  process.exit(2)
}

async function askPassword(): Promise<string> {
  if (process.env.ADMIN_PASSWORD) return process.env.ADMIN_PASSWORD
  if (!process.stdin.isTTY) {
    console.error('No terminal to ask for a password: set ADMIN_PASSWORD.')
    process.exit(2)
  }
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
  if (first !== second) {
    console.error('The two passwords differ.')
    process.exit(2)
  }
  return first
}

const password = await askPassword()
if (password.length < MIN_PASSWORD) {
  console.error(`Use at least ${MIN_PASSWORD} characters.`)
  process.exit(2)
}
const config = loadConfig()
const database = openDatabase(config.databasePath)
const hash = await hashPassword(password)
const now = new Date()
const result = database.db.transaction((tx) => {
  const existing = userByEmail(tx, email.data)
  if (existing) {
    if (existing.role !== 'admin') return 'not-admin'
    setPassword(tx, existing.id, hash, now)
    audit(tx, null, 'user.password_reset_cli', { subject: `user:${existing.id}` }, now)
    return 'reset'
  }
  const user = createUser(tx, { email: email.data, name: values.name, role: 'admin', passwordHash: hash }, now)
  audit(tx, null, 'user.admin_created_cli', { subject: `user:${user.id}` }, now)
  return 'created'
})
database.close()
if (result === 'not-admin') {
  console.error(`${email.data} exists and is not an admin; change their role on the People screen.`)
  process.exit(1)
}
console.log(result === 'created' ? `Admin ${email.data} created. Sign in at ${config.baseUrl}/admin` : `Password of admin ${email.data} changed.`)
