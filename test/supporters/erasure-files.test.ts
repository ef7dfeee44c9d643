import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { build, supporter, tempDir } from '../helper.js'
import { addUser, signIn } from '../admin/helper.js'

/** Which of the database's files hold `needle` in their raw bytes (as UTF-8, any case). */
function filesHolding(dir: string, needle: string): string[] {
  const lower = Buffer.from(needle.toLowerCase())
  return fs
    .readdirSync(dir)
    .filter((f) => f.startsWith('outcry.db'))
    .filter((f) => {
      const bytes = fs.readFileSync(path.join(dir, f))
      return bytes.includes(Buffer.from(needle)) || Buffer.from(bytes.toString('latin1').toLowerCase(), 'latin1').includes(lower)
    })
}

t.test('an erased supporter leaves no copy in the database files (secure_delete, WAL checkpoint)', async (t) => {
  const dir = tempDir(t)
  const app = await build(t, { dir, confirmLetters: false })
  await addUser(app, 'admin@example.org', 'admin')
  const admin = await signIn(app, 'admin@example.org')
  const address = 'Quorra.Zyxwabbit@example.net'
  const name = 'Quorra Zyxwabbit'
  for (const targetId of [1, 2]) {
    const res = await app.inject({ method: 'POST', url: '/api/campaigns/zhanaozen/letters', headers: { 'content-type': 'application/json' }, payload: { ...supporter, name, email: address, note: 'Greetings from Zyxwabbit Street', targetId } })
    t.equal(res.statusCode, 201, res.body)
  }
  // Other writes afterwards, so the supporter's rows are not simply the last thing in the WAL.
  await app.inject({ method: 'POST', url: '/api/campaigns/zhanaozen/letters', headers: { 'content-type': 'application/json' }, payload: { ...supporter, email: 'someone.else@example.org', targetId: 1 } })
  app.db.$client.pragma('wal_checkpoint(PASSIVE)')
  t.ok(filesHolding(dir, 'Zyxwabbit').length > 0, 'before: the name and address are in the files (the scan can see them)')

  const res = await admin.post('/admin/supporters/erase', { email: address, confirm: 'on' })
  t.equal(res.statusCode, 200)
  t.same(filesHolding(dir, 'Zyxwabbit'), [], 'after: no byte of the name, address or note is left in the .db or -wal file')
  t.same(filesHolding(dir, 'quorra'), [])
  t.equal(Number(app.db.$client.pragma('secure_delete', { simple: true })), 1, 'secure_delete is on for the connection')
  const wal = path.join(dir, 'outcry.db-wal')
  t.equal(fs.existsSync(wal) ? fs.statSync(wal).size : 0, 0, 'the WAL was checkpointed and truncated')
})
