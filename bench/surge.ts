// Fault scripts (issue 6, parts 1 and 2): a surge of letters through the JSON API, each from a
// different supporter, and the same surge with the server killed half-way.
//
//   npm run fault:surge    100,000 letters at 200 connections; then 2xx = letters = tally = outbox
//   npm run fault:crash    the same, SIGKILL once half have been answered, restart on the same
//                          database and send the rest; every 2xx letter is there and every
//                          queued mail is delivered, duplicates counted
//
// SURGE_LETTERS (100000) and SURGE_CONNECTIONS (200) change the size; SURGE_MAIL_WAIT (600) is how
// many seconds to wait for the outbox to empty afterwards. Exit code 0 only if every check passed.
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import Database from 'better-sqlite3'
import autocannon from 'autocannon'
import {
  exited, freePort, machine, outcryEnv, positive, runToEnd, startChild, startOutcry, startSink, stopChild, tempDir, waitForHttp,
  waitForOutbox, type Child,
} from './harness.js'

const CRASH = process.argv.includes('--crash')
const LETTERS = positive('SURGE_LETTERS', 100_000)
const CONNECTIONS = positive('SURGE_CONNECTIONS', 200)
const MAIL_WAIT_S = positive('SURGE_MAIL_WAIT', 600)
const SLUG = 'zhanaozen'
const COUNTRIES = ['GB', 'DE', 'FR', 'KZ', 'US', 'NO', 'ZA', 'BR', 'IN', 'AU']

let supporters = 0
/** A new supporter per request: a repeated address would be a duplicate, not a new letter. */
function letterBody() {
  const n = ++supporters
  return { name: `Surge Supporter ${n}`, email: `surge-${n}@example.org`, country: COUNTRIES[n % COUNTRIES.length], city: 'Leeds', targetId: 1 }
}

interface Wave {
  /** Emails whose request got a 2xx. */
  ok: Set<string>
  /** Emails sent whose answer never came (connection refused or reset, timeout): outcome unknown. */
  unanswered: Set<string>
  statusCodes: Record<string, number>
  latencies: number[]
  seconds: number
}

/**
 * Sends `count` letters over `connections` connections. `onAnswer` sees the running count of 2xx
 * answers and may return true to stop the wave (the crash run kills the server there).
 */
function wave(base: string, count: number, onAnswer?: (ok: number) => boolean): Promise<Wave> {
  const ok = new Set<string>()
  const sent = new Set<string>()
  const answered = new Set<string>()
  const statusCodes: Record<string, number> = {}
  const latencies: number[] = []
  let stopped = false
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const instance = autocannon(
      {
        url: base,
        connections: CONNECTIONS,
        amount: count,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            path: `/api/campaigns/${SLUG}/letters`,
            headers: { 'content-type': 'application/json' },
            setupRequest: (req, context) => {
              const body = letterBody()
              context.email = body.email
              sent.add(body.email)
              return { ...req, body: JSON.stringify(body) }
            },
            onResponse: (status, _body, context) => {
              const email = context.email as string
              answered.add(email)
              statusCodes[status] = (statusCodes[status] ?? 0) + 1
              if (status >= 200 && status < 300) ok.add(email)
              if (!stopped && onAnswer?.(ok.size)) {
                stopped = true
                instance.stop()
              }
            },
          },
        ],
      },
      (err) => {
        if (err) return reject(err)
        const seconds = (performance.now() - started) / 1000
        const unanswered = new Set([...sent].filter((e) => !answered.has(e)))
        resolve({ ok, unanswered, statusCodes, latencies, seconds })
      },
    )
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => latencies.push(responseTime))
    const progress = setInterval(() => process.stderr.write(`  ${fmt(latencies.length)} answered after ${((performance.now() - started) / 1000).toFixed(0)} s\n`), 15_000)
    instance.on('done', () => clearInterval(progress))
  })
}

function quantile(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] : NaN
}

interface DbState {
  letters: number
  tally: number
  letterMail: number
  outboxByStatus: Record<string, number>
  sentMail: number
  emails: Set<string>
  integrity: string
}

function readDatabase(file: string): DbState {
  const db = new Database(file, { fileMustExist: true })
  try {
    const campaign = db.prepare('select id, letters_count as tally from campaigns where slug = ?').get(SLUG) as { id: number; tally: number }
    const letters = (db.prepare('select count(*) as n from letters where campaign_id = ?').get(campaign.id) as { n: number }).n
    const letterMail = (db.prepare("select count(*) as n from outbox where kind = 'letter'").get() as { n: number }).n
    const outboxByStatus = Object.fromEntries(
      (db.prepare('select status, count(*) as n from outbox group by status').all() as { status: string; n: number }[]).map((r) => [r.status, r.n]),
    )
    const emails = new Set((db.prepare('select email_normalized as e from letters where campaign_id = ?').all(campaign.id) as { e: string }[]).map((r) => r.e))
    const integrity = (db.pragma('integrity_check', { simple: true }) as string) ?? 'unknown'
    return { letters, tally: campaign.tally, letterMail, outboxByStatus, sentMail: outboxByStatus.sent ?? 0, emails, integrity }
  } finally {
    db.close()
  }
}

function pendingMail(file: string): () => number {
  return () => {
    const db = new Database(file, { readonly: true, fileMustExist: true })
    try {
      return (db.prepare("select count(*) as n from outbox where status in ('queued', 'sending')").get() as { n: number }).n
    } finally {
      db.close()
    }
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
const checks: { label: string; pass: boolean }[] = []
function check(label: string, pass: boolean) {
  checks.push({ label, pass })
  console.log(`  ${pass ? 'PASS' : 'FAIL'}  ${label}`)
}

async function main(): Promise<number> {
  console.log(`Outcry fault script: ${CRASH ? 'crash (SIGKILL mid-surge, restart on the same database)' : 'surge'}`)
  console.log(`machine: ${machine()}`)
  console.log(`load: ${fmt(LETTERS)} letters, each from a different supporter, at ${CONNECTIONS} connections to POST /api/campaigns/${SLUG}/letters`)
  console.log('the server, the load generator and the SMTP sink share the machine; the dispatcher mails while the surge runs\n')

  const tmp = tempDir(CRASH ? 'outcry-crash-' : 'outcry-surge-')
  const databasePath = path.join(tmp, 'outcry.db')
  const sink = await startSink()
  const env = outcryEnv(await freePort(), databasePath, sink.url)
  await runToEnd('seed', 'src/cli/seed-demo.ts', { ...env, DEMO_CONFIRM: 'off', DEMO_PACE: 'off' })
  let server: { child: Child; base: string } = await startOutcry(env)

  const waves: Wave[] = []
  let killedAt = 0
  let restartSeconds = 0
  if (!CRASH) {
    waves.push(await wave(server.base, LETTERS))
  } else {
    const half = Math.floor(LETTERS / 2)
    const first = await wave(server.base, LETTERS, (ok) => {
      if (ok < half) return false
      server.child.proc.kill('SIGKILL')
      return true
    })
    killedAt = first.ok.size
    await exited(server.child)
    waves.push(first)
    console.log(`SIGKILL after ${fmt(killedAt)} letters answered 2xx; ${fmt(first.unanswered.size)} requests were in flight and got no answer`)
    const t = performance.now()
    server = await startOutcry(env, 'outcry (restarted)')
    restartSeconds = (performance.now() - t) / 1000
    console.log(`restarted on the same database, answering again after ${restartSeconds.toFixed(1)} s; sending the other ${fmt(LETTERS - killedAt)}`)
    waves.push(await wave(server.base, LETTERS - killedAt))
  }
  const surgeSeconds = waves.reduce((s, w) => s + w.seconds, 0)
  if (!CRASH) console.log(`surge done in ${surgeSeconds.toFixed(1)} s; waiting for the outbox to empty`)

  const mail = await waitForOutbox(pendingMail(databasePath), MAIL_WAIT_S * 1000)
  const stop = await stopChild(server.child)
  const delivered = await sink.count()
  await stopChild(sink.child)
  const state = readDatabase(databasePath)

  // The floor, alone on the machine after Outcry has stopped: a bare fastify route writing a
  // three-row SQLite transaction, under the same load.
  let floor: Wave | undefined
  if (!CRASH) {
    const port = await freePort()
    const child = startChild('floor-sqlite', 'bench/floor-sqlite.ts', { ...process.env, PORT: String(port), DATABASE_PATH: path.join(tmp, 'floor.db') })
    await waitForHttp(`http://127.0.0.1:${port}/health`, child)
    console.log('measuring the floor: the same surge against a bare fastify + SQLite server')
    floor = await wave(`http://127.0.0.1:${port}`, LETTERS)
    await stopChild(child)
  }

  const ok = new Set<string>()
  const unanswered = new Set<string>()
  const statusCodes: Record<string, number> = {}
  const latencies: number[] = []
  for (const w of waves) {
    for (const e of w.ok) ok.add(e)
    for (const e of w.unanswered) unanswered.add(e)
    for (const [code, n] of Object.entries(w.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n
    latencies.push(...w.latencies)
  }
  latencies.sort((a, b) => a - b)
  const fivexx = Object.entries(statusCodes).reduce((n, [code, c]) => (code.startsWith('5') ? n + c : n), 0)
  const missing = [...ok].filter((e) => !state.emails.has(e)).length
  const withoutAnswer = [...state.emails].filter((e) => !ok.has(e))
  const unexplained = withoutAnswer.filter((e) => !unanswered.has(e)).length

  console.log('')
  console.log(`surge: ${fmt(ok.size)} letters answered 2xx in ${surgeSeconds.toFixed(1)} s of load = ${fmt(ok.size / surgeSeconds)} letters/s`)
  if (floor) {
    const floorRate = floor.ok.size / floor.seconds
    const fl = [...floor.latencies].sort((a, b) => a - b)
    console.log(
      `floor (bare fastify + SQLite, 3-row transaction): ${fmt(floorRate)} letters/s, p99 ${quantile(fl, 0.99).toFixed(0)} ms, max ${quantile(fl, 1).toFixed(0)} ms; ` +
        `Outcry = ${((ok.size / surgeSeconds / floorRate) * 100).toFixed(0)}% of the floor`,
    )
  }
  console.log(
    `latency: p50 ${quantile(latencies, 0.5).toFixed(0)} ms, p99 ${quantile(latencies, 0.99).toFixed(0)} ms, max ${quantile(latencies, 1).toFixed(0)} ms; ` +
      `status codes ${JSON.stringify(statusCodes)}; no answer: ${fmt(unanswered.size)}`,
  )
  console.log(
    `mail: ${mail.left === 0 ? `outbox empty ${mail.seconds.toFixed(1)} s after the surge` : `${fmt(mail.left)} still queued after ${mail.seconds.toFixed(0)} s`}; ` +
      `outbox ${JSON.stringify(state.outboxByStatus)}; SMTP sink received ${fmt(delivered.received)} (${fmt(delivered.unique)} distinct Message-IDs, ${fmt(delivered.duplicates)} duplicates)`,
  )
  console.log(`server stopped with SIGTERM: exit ${stop.code ?? stop.signal}${stop.killed ? ' (had to be killed)' : ''}`)
  console.log('')
  console.log('checks:')
  check(`no 5xx answers (${fivexx})`, fivexx === 0)
  if (!CRASH) {
    check(`every request answered (${fmt(unanswered.size)} without an answer)`, unanswered.size === 0)
    check(`2xx answers ${fmt(ok.size)} = ${fmt(LETTERS)} letters sent`, ok.size === LETTERS)
  } else {
    check(`every 2xx letter is in the database (${fmt(missing)} missing)`, missing === 0)
    console.log(
      `        letters stored whose answer the kill cut off: ${fmt(withoutAnswer.length - unexplained)} of the ${fmt(unanswered.size)} in flight ` +
        '(committed before the kill; the supporter saw an error and may send again, which reads as a duplicate)',
    )
    check(`no letter stored that was never sent (${fmt(unexplained)})`, unexplained === 0)
  }
  check(`letters in the database ${fmt(state.letters)} = 2xx answers ${fmt(ok.size)}${CRASH ? ' + stored without an answer ' + fmt(withoutAnswer.length) : ''}`, state.letters === ok.size + (CRASH ? withoutAnswer.length : 0) && missing === 0)
  check(`tally counter ${fmt(state.tally)} = letters ${fmt(state.letters)}`, state.tally === state.letters)
  check(`outbox rows for the letters ${fmt(state.letterMail)} = letters ${fmt(state.letters)}`, state.letterMail === state.letters)
  check(`every queued mail sent (${fmt(state.sentMail)} of ${fmt(Object.values(state.outboxByStatus).reduce((a, b) => a + b, 0))})`, mail.left === 0 && state.sentMail === Object.values(state.outboxByStatus).reduce((a, b) => a + b, 0))
  check(`every sent mail reached the SMTP server (${fmt(delivered.unique)} distinct of ${fmt(state.sentMail)})`, delivered.unique === state.sentMail)
  if (CRASH) {
    console.log(`        duplicates at the SMTP server: ${fmt(delivered.duplicates)} (aim 0; at most the two batches in flight at the kill, 100)`)
    check('duplicates within the batches in flight', delivered.duplicates <= 100)
  } else {
    check(`no mail delivered twice (${fmt(delivered.duplicates)})`, delivered.duplicates === 0)
  }
  check(`SQLite integrity_check: ${state.integrity}`, state.integrity === 'ok')
  const failed = checks.filter((c) => !c.pass).length
  console.log(`\n${checks.length - failed} checks passed, ${failed} failed`)
  return failed === 0 ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err)
    process.exit(1)
  },
)
