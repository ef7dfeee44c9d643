// Reminder benchmark: 10,000 RSVPs on one picket whose reminder is due.
//   1. time for the dispatcher to hand every reminder to a loopback SMTP server;
//   2. the same with the server killed (SIGKILL) halfway and restarted: every RSVP must have
//      its reminder, and the duplicates are counted (aim 0, at most the batch in flight).
// The floor is bare nodemailer sending as many small messages to the same sink.
//   npm run bench:reminders            (BENCH_RSVPS=2000 for a quick run)
import { execFileSync } from 'node:child_process'
import crypto from 'node:crypto'
import path from 'node:path'
import Database from 'better-sqlite3'
import { exited, freePort, machine, outcryEnv, root, sleep, startOutcry, startSink, stopChild, tempDir, type Sink, type SinkCount } from './harness.js'

const RSVPS = Number(process.env.BENCH_RSVPS ?? 10_000)
const AIM_SECONDS = 30
const tmp = tempDir('outcry-bench-reminders-')

/** A database with the demo campaign and one picket whose 2-hour reminder is due now, owed to RSVPS people. */
function prepare(name: string): { dbPath: string; picketId: number } {
  const dbPath = path.join(tmp, `${name}.db`)
  execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/seed-demo.ts'], { cwd: root, env: { ...process.env, NODE_ENV: 'test', DATABASE_PATH: dbPath, DEMO_CONFIRM: 'off', DEMO_PACE: 'off' }, stdio: 'ignore' })
  const db = new Database(dbPath)
  const now = Date.now()
  const startsAt = now + 90 * 60_000
  const picketId = Number(
    db
      .prepare(
        `insert into pickets (campaign_id, title, venue, address, city, country, time_zone, starts_at, ends_at, bring, contact, reminders, created_at, updated_at, going_count)
         values (1, 'Bench picket', 'Embassy', '1 Road', 'London', 'GB', 'Europe/London', ?, ?, 'Banners', 'Sam', '[1440,120]', ?, ?, ?)`,
      )
      .run(startsAt, startsAt + 2 * 3_600_000, now - 86_400_000 * 2, now - 86_400_000 * 2, RSVPS).lastInsertRowid,
  )
  const insert = db.prepare(`insert into rsvps (picket_id, token, name, email, email_normalized, status, created_at) values (?, ?, ?, ?, ?, 'going', ?)`)
  db.transaction(() => {
    for (let i = 0; i < RSVPS; i++) {
      const email = `rsvp${i}@example.org`
      insert.run(picketId, crypto.randomBytes(32).toString('base64url'), `Supporter ${i}`, email, email, now - 86_400_000 * 2)
    }
  })()
  db.close()
  return { dbPath, picketId }
}

function reminderState(dbPath: string) {
  const db = new Database(dbPath, { readonly: true })
  const row = db
    .prepare(
      `select (select count(*) from reminder_deliveries) as deliveries,
              (select count(*) from outbox where kind = 'picket_reminder' and status = 'sent') as sent,
              (select count(*) from outbox where kind = 'picket_reminder') as queued`,
    )
    .get() as { deliveries: number; sent: number; queued: number }
  db.close()
  return row
}

async function waitFor(sink: Sink, target: number, timeoutMs: number): Promise<SinkCount> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const c = await sink.count()
    if (c.unique >= target || Date.now() > deadline) return c
    await sleep(50)
  }
}

async function startServer(sink: Sink, dbPath: string) {
  const env = outcryEnv(await freePort(), dbPath, sink.url)
  return (await startOutcry(env)).child
}

console.log(`Outcry reminder benchmark: ${RSVPS.toLocaleString('en')} RSVPs on one picket`)
console.log(`machine: ${machine()}\n`)

// Floor: bare nodemailer to the same kind of sink.
const floorSink = await startSink()
const floorMs = Number(execFileSync(process.execPath, ['--import', 'tsx', 'bench/floor-mailer.ts', floorSink.url, String(RSVPS)], { cwd: root }).toString().trim())
await stopChild(floorSink.child)

// Run 1: straight through.
const sink1 = await startSink()
const run1 = prepare('straight')
const server1 = await startServer(sink1, run1.dbPath)
// Timed from the moment the server answers: its dispatcher starts with it.
const t0 = performance.now()
const count1 = await waitFor(sink1, RSVPS, 120_000)
const ms1 = performance.now() - t0
await stopChild(server1)
const state1 = reminderState(run1.dbPath)
await stopChild(sink1.child)

// Run 2: SIGKILL halfway, restart on the same database.
const sink2 = await startSink()
const run2 = prepare('killed')
const server2 = await startServer(sink2, run2.dbPath)
const t1 = performance.now()
const atKill = await waitFor(sink2, Math.floor(RSVPS / 2), 120_000)
server2.proc.kill('SIGKILL')
await exited(server2)
const server3 = await startServer(sink2, run2.dbPath)
const count2 = await waitFor(sink2, RSVPS, 120_000)
const ms2 = performance.now() - t1
await stopChild(server3)
const state2 = reminderState(run2.dbPath)
await stopChild(sink2.child)

const rate = (n: number, ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString('en')}/s`
console.log('run                          reminders   time      rate       floor ratio')
console.log(`floor (bare nodemailer)      ${String(RSVPS).padStart(9)}   ${(floorMs / 1000).toFixed(1).padStart(5)} s   ${rate(RSVPS, floorMs).padStart(8)}`)
console.log(`straight through             ${String(count1.unique).padStart(9)}   ${(ms1 / 1000).toFixed(1).padStart(5)} s   ${rate(count1.unique, ms1).padStart(8)}   ${(floorMs / ms1).toFixed(2)}`)
console.log(`SIGKILL at ${String(atKill.unique).padStart(5)}, restarted   ${String(count2.unique).padStart(9)}   ${(ms2 / 1000).toFixed(1).padStart(5)} s   ${rate(count2.unique, ms2).padStart(8)}   (includes the restart)`)
console.log('')
console.log(`straight: ${state1.deliveries} deliveries recorded, ${state1.sent} reminder rows sent, duplicates at the SMTP server: ${count1.duplicates}`)
console.log(`killed:   ${state2.deliveries} deliveries recorded, ${state2.sent} reminder rows sent, duplicates at the SMTP server: ${count2.duplicates} (at most the batch in flight: 50)`)
const ok = count1.unique === RSVPS && count2.unique === RSVPS && state1.deliveries === RSVPS && state2.deliveries === RSVPS && count1.duplicates === 0 && count2.duplicates <= 50
console.log(`every RSVP has its reminder, duplicates within bound: ${ok ? 'PASS' : 'FAIL'}`)
console.log(`aim: ${RSVPS.toLocaleString('en')} reminders in under ${AIM_SECONDS} s: ${ms1 / 1000 < AIM_SECONDS ? 'met' : 'missed'} (${(ms1 / 1000).toFixed(1)} s)`)
process.exit(ok ? 0 : 1)
