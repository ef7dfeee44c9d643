// Fault script (issue 6, part 3): the mail server goes away while supporters keep writing, then
// comes back.
//
//   npm run fault:mail-outage          OUTAGE_SECONDS (20) to change the outage's length
//
// Outcry runs in this process (buildApp), beside a real SMTP server (the smtp-server package).
// Supporters write letters and load the campaign page throughout. The SMTP server first answers
// normally, then its port is closed (connection refused) for half the outage, then it answers
// every connection with "421 try later" for the other half, then it accepts again. The dispatcher's
// retry delays are shortened (1 s doubling to 8 s, instead of 30 s to 1 h) so the run takes a
// minute, not hours; the mechanism is the same. Prints what it checked; exit code 0 if all passed.
import fs from 'node:fs'
import path from 'node:path'
import { Writable } from 'node:stream'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { SMTPServer } from 'smtp-server'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { seedDemo, DEMO_SLUG } from '../src/demo/seed.js'
import { Deliveries } from './deliveries.js'
import { machine, positive, sleep, tempDir } from './harness.js'

const OUTAGE_S = positive('OUTAGE_SECONDS', 20)
const BEFORE_S = 5
const AFTER_S = 5
const WRITERS = 4
const RETRY = { baseDelayMs: 1000, maxDelayMs: 8000, pollMs: 200 }

// ---------------------------------------------------------------- the SMTP server, in process

type SmtpState = 'up' | 'down' | 'refusing'
let smtpState: SmtpState = 'up'
let smtp: SMTPServer | null = null
let smtpPort = 0
const deliveries = new Deliveries()
let refused = 0
let smtpConnections = 0

function newSmtp(): SMTPServer {
  return new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 100,
    onConnect(_session, callback) {
      smtpConnections++
      if (smtpState !== 'refusing') return callback()
      refused++
      callback(Object.assign(new Error('Service not available, try again later'), { responseCode: 421 }))
    },
    onMailFrom(_address, _session, callback) {
      // Connections opened before the refusal began are refused at the next message.
      if (smtpState !== 'refusing') return callback()
      refused++
      callback(Object.assign(new Error('Service not available, try again later'), { responseCode: 421 }))
    },
    onData(stream, _session, callback) {
      deliveries.take(stream, callback)
    },
  })
}

async function smtpListen(port: number): Promise<number> {
  smtp = newSmtp()
  smtp.on('error', () => {}) // a client hanging up mid-session is not the server's failure
  await new Promise<void>((resolve) => smtp!.listen(port, '127.0.0.1', () => resolve()))
  return (smtp.server.address() as AddressInfo).port
}

async function smtpClose(): Promise<void> {
  const server = smtp
  smtp = null
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()))
}

// ---------------------------------------------------------------- Outcry, in process

const logCounts: Record<string, number> = {}
/** The dispatcher's pauses, as its log lines report them. */
const pauses: { at: number; seconds: number; err: string }[] = []
const logSink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue
      try {
        const entry = JSON.parse(line) as { msg?: string; time?: number; resumeAt?: string; err?: string }
        const msg = entry.msg ?? '?'
        logCounts[msg] = (logCounts[msg] ?? 0) + 1
        if (entry.resumeAt && entry.time) pauses.push({ at: since(), seconds: (Date.parse(entry.resumeAt) - entry.time) / 1000, err: entry.err ?? '' })
      } catch {
        logCounts['(not JSON)'] = (logCounts['(not JSON)'] ?? 0) + 1
      }
    }
    done()
  },
})

const tmp = tempDir('outcry-mail-outage-')
smtpPort = await smtpListen(0)
const config = loadConfig({
  NODE_ENV: 'test',
  DATABASE_PATH: path.join(tmp, 'outcry.db'),
  SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
  MAIL_FROM: 'outcry@example.org',
  RATE_LIMITS: 'off',
  LOG_LEVEL: 'warn',
  BASE_URL: 'http://127.0.0.1',
})
const app = await buildApp(config, { logger: { level: 'warn', stream: logSink }, dispatcher: RETRY })
await app.ready()
seedDemo(app.db, new Date(), { confirm: false, paced: false })
await app.listen({ port: 0, host: '127.0.0.1' })
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
const sqlite = app.db.$client

// ---------------------------------------------------------------- supporters, throughout

type Phase = 'before' | 'down' | 'refusing' | 'after'
let phase: Phase = 'before'
const latencies: Record<Phase, number[]> = { before: [], down: [], refusing: [], after: [] }
const failures: Record<Phase, number> = { before: 0, down: 0, refusing: 0, after: 0 }
let writing = true
let supporters = 0

async function supporter(): Promise<void> {
  while (writing) {
    const n = ++supporters
    const p = phase
    const t0 = performance.now()
    const page = await fetch(`${base}/campaigns/${DEMO_SLUG}`).catch(() => null)
    await page?.arrayBuffer()
    const t1 = performance.now()
    const letter = await fetch(`${base}/api/campaigns/${DEMO_SLUG}/letters`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `Outage Supporter ${n}`, email: `outage-${n}@example.org`, country: 'GB', city: 'Leeds', targetId: 1 }),
    }).catch(() => null)
    await letter?.arrayBuffer()
    const t2 = performance.now()
    latencies[p].push(t1 - t0, t2 - t1)
    if (page?.status !== 200) failures[p]++
    if (letter?.status !== 201) failures[p]++
    await sleep(20)
  }
}

const t0 = performance.now()
function since(): number {
  return (performance.now() - t0) / 1000
}

// ---------------------------------------------------------------- the run

console.log('Outcry fault script: mail server outage')
console.log(`machine: ${machine()}`)
console.log(
  `${WRITERS} supporters write letters and load the campaign page throughout; SMTP up ${BEFORE_S} s, ` +
    `port closed ${OUTAGE_S / 2} s, 421 to every connection ${OUTAGE_S / 2} s, then up again`,
)
console.log(`dispatcher retry delays for this run: ${RETRY.baseDelayMs / 1000} s doubling to ${RETRY.maxDelayMs / 1000} s (defaults 30 s to 1 h)\n`)

const writers = Array.from({ length: WRITERS }, () => supporter())
await sleep(BEFORE_S * 1000)

phase = 'down'
smtpState = 'down'
const connectionsBefore = smtpConnections
await smtpClose()
console.log(`${since().toFixed(1)} s: SMTP port closed`)
await sleep((OUTAGE_S / 2) * 1000)

phase = 'refusing'
smtpState = 'refusing'
await smtpListen(smtpPort)
console.log(`${since().toFixed(1)} s: SMTP back on port ${smtpPort}, answering 421 to everything`)
await sleep((OUTAGE_S / 2) * 1000)

const queuedAtEnd = sqlite.prepare("select count(*) as n from outbox where status in ('queued', 'sending')").get() as { n: number }
const connectionsDuringOutage = smtpConnections - connectionsBefore
const outageEndedAt = Date.now()
// What an admin would see in the outbox: the mail that was tried waits with the server's answer
// and the time of the next try; the rest waits untried. No attempt is counted against either.
const waiting = sqlite
  .prepare(
    `select count(*) as n, sum(last_error is not null) as tried, max(attempts) as maxAttempts, max(next_attempt_at) as nextTry
     from outbox where status = 'queued'`,
  )
  .get() as { n: number; tried: number; maxAttempts: number; nextTry: number }

phase = 'after'
smtpState = 'up'
const recoveredAt = performance.now()
console.log(`${since().toFixed(1)} s: SMTP accepting again; ${queuedAtEnd.n} mails waiting`)
await sleep(AFTER_S * 1000)
writing = false
await Promise.all(writers)

// Everything queued goes out within the longest retry delay once the server is back.
const pending = sqlite.prepare("select count(*) as n from outbox where status in ('queued', 'sending')")
const drainDeadline = performance.now() + 60_000
while ((pending.get() as { n: number }).n > 0 && performance.now() < drainDeadline) await sleep(100)
const drainedAfter = (performance.now() - recoveredAt) / 1000

const outbox = sqlite.prepare('select status, count(*) as n, max(attempts) as maxAttempts from outbox group by status').all() as {
  status: string
  n: number
  maxAttempts: number
}[]
const total = outbox.reduce((s, r) => s + r.n, 0)
const sent = outbox.find((r) => r.status === 'sent')?.n ?? 0
const letters = (sqlite.prepare('select count(*) as n from letters').get() as { n: number }).n
const letterMails = (sqlite.prepare("select count(*) as n from outbox where kind = 'letter'").get() as { n: number }).n
await app.close()
await smtpClose()

// ---------------------------------------------------------------- report

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.min(s.length - 1, Math.floor(s.length * p))] : NaN
}
console.log('')
console.log('responsiveness (page load and letter POST, each timed):')
console.log('  phase        requests  failed   p50 ms   p99 ms   max ms')
for (const p of ['before', 'down', 'refusing', 'after'] as Phase[]) {
  const xs = latencies[p]
  console.log(
    `  ${p.padEnd(11)} ${String(xs.length).padStart(9)} ${String(failures[p]).padStart(7)} ${q(xs, 0.5).toFixed(1).padStart(8)} ${q(xs, 0.99).toFixed(1).padStart(8)} ${q(xs, 1).toFixed(1).padStart(8)}`,
  )
}
console.log('')
console.log('the dispatcher\'s pauses (its log lines), each ended by one message probing the server:')
for (const p of pauses) console.log(`  ${p.at.toFixed(1).padStart(5)} s  paused ${p.seconds.toFixed(0)} s  (${p.err.slice(0, 70)})`)
console.log(`connections that reached the SMTP server while it refused: ${connectionsDuringOutage}`)
console.log(
  `the outbox when the server came back: ${waiting.n} queued, ${waiting.tried} of them tried and waiting with the server's answer, ` +
    `next try in ${((waiting.nextTry - outageEndedAt) / 1000).toFixed(1)} s; most attempts counted against any: ${waiting.maxAttempts}`,
)
console.log(`log lines: ${JSON.stringify(logCounts)}`)
console.log(`SMTP: ${deliveries.received} messages received, ${deliveries.unique} distinct Message-IDs, ${deliveries.duplicates} duplicates; ${refused} connections or messages refused with 421`)
console.log(`outbox: ${JSON.stringify(outbox)}; empty ${drainedAfter.toFixed(1)} s after the server came back`)
console.log('')

const checks: [string, boolean][] = []
const check = (label: string, pass: boolean) => {
  checks.push([label, pass])
  console.log(`  ${pass ? 'PASS' : 'FAIL'}  ${label}`)
}
const outageAll = [...latencies.down, ...latencies.refusing]
console.log('checks:')
check(`every mail delivered: ${sent} of ${total} outbox rows sent, ${deliveries.unique} distinct at the server`, sent === total && deliveries.unique === total)
check(`none delivered twice (${deliveries.duplicates})`, deliveries.duplicates === 0)
check(`every letter has its mail to the official: ${letters} letters, ${letterMails} letter mails`, letters === letterMails && letters > 0)
check(
  `backoff visible: ${pauses.length} pauses growing ${pauses.map((p) => p.seconds.toFixed(0)).join(', ')} s; ${waiting.tried} mails waiting with the server's answer`,
  pauses.length >= 3 && pauses.every((p, i) => i === 0 || p.seconds >= pauses[i - 1].seconds) && waiting.tried > 0,
)
check(`no attempts used up by the outage (at most ${waiting.maxAttempts} counted)`, waiting.maxAttempts === 0)
check(`no mail failed for good (${outbox.filter((r) => r.status === 'failed').reduce((n, r) => n + r.n, 0)})`, !outbox.some((r) => r.status === 'failed'))
check(`the app stayed responsive: no failed request during the outage (${failures.down + failures.refusing}), p99 ${q(outageAll, 0.99).toFixed(0)} ms < 1000 ms`, failures.down + failures.refusing === 0 && q(outageAll, 0.99) < 1000)
check(`supporters kept writing during the outage: ${latencies.down.length / 2 + latencies.refusing.length / 2} letters`, latencies.down.length + latencies.refusing.length > 0)
const failed = checks.filter(([, pass]) => !pass).length
console.log(`\n${checks.length - failed} checks passed, ${failed} failed`)
fs.rmSync(tmp, { recursive: true, force: true })
process.exit(failed ? 1 : 0)

