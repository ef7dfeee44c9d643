// The crash fault script (`npm run fault:crash`) in small: the real server, killed with SIGKILL
// while letters pour in, restarted on the same database. Every answered letter is there, the
// tally still counts the letters, and the mail queued before the kill is delivered.
import path from 'node:path'
import t from 'tap'
import Database from 'better-sqlite3'
import { freePort, outcryEnv, startOutcry, stopChild, exited } from '../bench/harness.js'
import { openDatabase } from '../src/db/client.js'
import { seedDemo } from '../src/demo/seed.js'
import { tempDir } from './helper.js'
import { TestSmtp } from './smtp.js'

const SLUG = 'zhanaozen'
const WRITERS = 20
const KILL_AFTER = 300

t.test('SIGKILL mid-surge, restart on the same database: nothing answered is lost, mail goes out', async (t) => {
  const smtp = new TestSmtp()
  await smtp.start()
  t.teardown(() => smtp.stop())
  const file = path.join(tempDir(t), 'outcry.db')
  const env = outcryEnv(await freePort(), file, smtp.url, { LOG_LEVEL: 'silent' })

  const seeded = openDatabase(file)
  seedDemo(seeded.db, new Date(), { confirm: false, paced: false })
  seeded.close()

  let server = await startOutcry(env, 'outcry')
  t.teardown(() => stopChild(server.child, 5_000))
  const answered = new Set<string>()
  const unanswered = new Set<string>()
  let n = 0
  let killed = false
  const writer = async () => {
    while (!killed) {
      const email = `crash-${++n}@example.org`
      try {
        const res = await fetch(`${server.base}/api/campaigns/${SLUG}/letters`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: `Supporter ${n}`, email, country: 'GB', city: 'Leeds', targetId: 1 }),
        })
        await res.arrayBuffer()
        if (res.status !== 201) throw new Error(`status ${res.status}`)
        answered.add(email)
        if (answered.size >= KILL_AFTER && !killed) {
          killed = true
          server.child.proc.kill('SIGKILL')
        }
      } catch {
        unanswered.add(email)
      }
    }
  }
  await Promise.all(Array.from({ length: WRITERS }, writer))
  await exited(server.child)

  server = await startOutcry(env, 'outcry (restarted)')
  const db = new Database(file, { readonly: true })
  t.teardown(() => db.close())
  const pending = db.prepare("select count(*) as n from outbox where status in ('queued', 'sending')")
  for (let i = 0; i < 300 && (pending.get() as { n: number }).n > 0; i++) await new Promise((r) => setTimeout(r, 100))
  const stop = await stopChild(server.child)
  t.equal(stop.code, 0, 'the restarted server stops cleanly')

  const stored = new Set((db.prepare('select email_normalized as e from letters').all() as { e: string }[]).map((r) => r.e))
  const tally = (db.prepare('select letters_count as n from campaigns where slug = ?').get(SLUG) as { n: number }).n
  const letterMail = db.prepare("select status, count(*) as n from outbox where kind = 'letter' group by status").all() as { status: string; n: number }[]
  t.ok(answered.size >= KILL_AFTER, `killed after ${answered.size} answered letters`)
  t.same([...answered].filter((e) => !stored.has(e)), [], 'every answered letter is stored')
  t.same([...stored].filter((e) => !answered.has(e) && !unanswered.has(e)), [], 'nothing stored that was not sent')
  t.ok([...stored].filter((e) => !answered.has(e)).length <= WRITERS, 'at most the requests in flight were stored unanswered')
  t.equal(tally, stored.size, 'the tally counts every letter')
  t.same(letterMail, [{ status: 'sent', n: stored.size }], 'each letter has its mail, and all of it was sent')
  const ids = smtp.received.map((m) => m.parsed.messageId)
  const distinct = new Set(ids)
  t.equal(distinct.size, stored.size, 'the mail server got every letter')
  t.ok(ids.length - distinct.size <= 10, `duplicates at most the messages in flight at the kill (${ids.length - distinct.size})`)
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok', 'SQLite finds the file sound')
})
