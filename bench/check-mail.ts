// npm run check:mail [-- --max 0.5] [--raw <kind>]
// Sends one of each kind of mail (letters from freemail supporters, in English and Russian, the
// confirmations, copies, picket mail, an invitation) through the real dispatcher to an in-process SMTP
// server, DKIM-signed with a throwaway key, scores each message with SpamAssassin's local tests
// (`spamassassin -t -L`: no network, so no blocklists and no DNS checks of the signature) and prints
// kind → score → rules. Exits 1 when a mail scores --max or more (default 0.5), 2 without SpamAssassin
// (Debian/Ubuntu: apt-get install spamassassin). Not part of npm test: it takes about a second a mail.
import { spawn, spawnSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { sendEveryKind, type SentMail } from '../test/mail/every-kind.js'

const { values } = parseArgs({ options: { max: { type: 'string', default: '0.5' }, raw: { type: 'string' } } })
const max = Number(values.max)

if (spawnSync('spamassassin', ['--version'], { stdio: 'ignore' }).status !== 0) {
  console.error('spamassassin is not installed: apt-get install -y spamassassin (Debian/Ubuntu), then run again.')
  process.exit(2)
}

interface Score {
  score: number
  rules: { name: string; points: number }[]
}

/** Scores one raw message: the report's total and each rule hit with its points. */
function score(raw: string): Promise<Score> {
  return new Promise((resolve, reject) => {
    const sa = spawn('spamassassin', ['-t', '-L'], { stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    sa.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')))
    sa.stderr.resume()
    sa.on('error', reject)
    sa.on('close', () => {
      const total = /Content analysis details:\s+\((-?[\d.]+) points/.exec(out)
      if (!total) return reject(new Error(`no score in spamassassin's output:\n${out.slice(-500)}`))
      const table = out.slice(out.indexOf('---- ----'))
      const rules = [...table.matchAll(/^\s*(-?[\d.]+)\s+([A-Z0-9_]+)\s/gm)].map((m) => ({ name: m[2]!, points: Number(m[1]) }))
      resolve({ score: Number(total[1]), rules })
    })
    sa.stdin.end(raw)
  })
}

const teardowns: (() => unknown)[] = []
let mails: SentMail[]
try {
  mails = (await sendEveryKind({ teardown: (fn) => teardowns.push(fn) })).mails
} finally {
  for (const fn of teardowns.reverse()) await fn()
}

if (values.raw) {
  for (const m of mails.filter((m) => m.kind === values.raw)) console.log(m.raw)
  process.exit(0)
}

// Two at a time: SpamAssassin is CPU-bound and this machine may be shared.
const scores: Score[] = new Array(mails.length)
let next = 0
await Promise.all(
  [0, 1].map(async () => {
    while (next < mails.length) {
      const i = next++
      scores[i] = await score(mails[i]!.raw)
    }
  }),
)

const rows = mails.map((m, i) => ({
  kind: m.kind,
  case: m.label,
  score: scores[i]!.score.toFixed(1),
  // Informational rules score 0 (or -0.0): listed after the ones that count.
  rules: [...scores[i]!.rules].sort((a, b) => Math.abs(b.points) - Math.abs(a.points)).map((r) => `${r.name} ${r.points > 0 ? '+' : ''}${r.points}`).join(', '),
}))
const widths = { kind: Math.max(4, ...rows.map((r) => r.kind.length)), case: Math.max(4, ...rows.map((r) => r.case.length)) }
console.log(`${'kind'.padEnd(widths.kind)}  ${'case'.padEnd(widths.case)}  score  rules`)
for (const r of rows) console.log(`${r.kind.padEnd(widths.kind)}  ${r.case.padEnd(widths.case)}  ${r.score.padStart(5)}  ${r.rules}`)
const over = mails.filter((_, i) => scores[i]!.score >= max)
if (over.length) {
  console.log(`\n${over.length} of ${mails.length} mails score ${max} or more.`)
  process.exit(1)
}
console.log(`\nEvery mail scores under ${max} (SpamAssassin, local tests only).`)
