// Fault script (issue 6, part 4): the disk fills up, and then the filesystem turns read-only,
// under a running Outcry.
//
//   npm run fault:disk-full            (Linux; mounts a small tmpfs, so root or an unprivileged
//                                       user namespace: it re-runs itself under `unshare` if needed)
//
// Outcry runs as a child process with its database on an 8 MB tmpfs. The script fills the
// filesystem with a filler file, writes letters through the form and the API, then frees the
// space; then remounts the filesystem read-only, writes again, and remounts it read-write.
// Each time: a 503 page or JSON error and a log line, reads still served, nothing half-written,
// and writes work again afterwards. Prints what it checked; exit code 0 if all passed.
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { freePort, machine, onExit, outcryEnv, root, runToEnd, sleep, startOutcry, startSink, stopChild, tempDir, type Child } from './harness.js'

const SLUG = 'zhanaozen'

// Mounting needs root; an unprivileged user can be root in a user namespace of its own.
if (process.getuid?.() !== 0 && !process.env.OUTCRY_IN_NAMESPACE) {
  const r = spawnSync('unshare', ['--map-root-user', '--mount', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, OUTCRY_IN_NAMESPACE: '1' },
  })
  if (r.error || r.status === null) {
    console.error(`this script mounts a small tmpfs: run it as root, or allow unprivileged user namespaces (${r.error?.message ?? r.signal})`)
    process.exit(2)
  }
  process.exit(r.status)
}

const tmp = tempDir('outcry-disk-full-')
const mnt = path.join(tmp, 'disk')
fs.mkdirSync(mnt)
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt], { stdio: 'pipe' })
} catch (err) {
  console.error(`could not mount a tmpfs at ${mnt}: ${(err as { stderr?: Buffer }).stderr?.toString().trim() ?? err}`)
  process.exit(2)
}
onExit(() => execFileSync('umount', ['-l', mnt], { stdio: 'ignore' }))
const remount = (mode: 'ro' | 'rw') => execFileSync('mount', ['-o', `remount,${mode}`, mnt], { stdio: 'pipe' })

const databasePath = path.join(mnt, 'outcry.db')
const filler = path.join(mnt, 'filler')

// ---------------------------------------------------------------- helpers

const checks: [string, boolean][] = []
function check(label: string, pass: boolean) {
  checks.push([label, pass])
  console.log(`  ${pass ? 'PASS' : 'FAIL'}  ${label}`)
}

/** Fills the filesystem to the last byte; returns how much it wrote. */
function fillDisk(): number {
  const fd = fs.openSync(filler, 'w')
  const chunk = Buffer.alloc(64 * 1024, 0x55)
  let written = 0
  try {
    for (let size = chunk.length; size >= 1; ) {
      try {
        written += fs.writeSync(fd, chunk, 0, size)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err
        size = Math.floor(size / 2)
      }
    }
  } finally {
    fs.closeSync(fd)
  }
  return written
}

function dbState() {
  // A second connection, as an operator's sqlite3 shell would be; read-only so it writes nothing.
  const db = new Database(databasePath, { readonly: true, fileMustExist: true })
  try {
    const tally = (db.prepare('select letters_count as n from campaigns where slug = ?').get(SLUG) as { n: number }).n
    const letters = (db.prepare('select count(*) as n from letters').get() as { n: number }).n
    const outbox = (db.prepare('select count(*) as n from outbox').get() as { n: number }).n
    return { letters, outbox, tally }
  } finally {
    db.close()
  }
}

let supporters = 0
async function apiLetter(base: string): Promise<{ status: number; body: string }> {
  const n = ++supporters
  const res = await fetch(`${base}/api/campaigns/${SLUG}/letters`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: `Disk Supporter ${n}`, email: `disk-${n}@example.org`, country: 'GB', city: 'Leeds', targetId: 1 }),
  })
  return { status: res.status, body: await res.text() }
}

/** The letter form as a browser sends it: the page's CSRF cookie and token, then the POST. */
async function formLetter(base: string): Promise<{ status: number; body: string }> {
  const page = await fetch(`${base}/campaigns/${SLUG}`)
  const html = await page.text()
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? ''
  const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
  const n = ++supporters
  const body = new URLSearchParams({ _csrf: token, name: `Disk Supporter ${n}`, email: `disk-${n}@example.org`, country: 'GB', city: 'Leeds', target: '1' })
  const res = await fetch(`${base}/campaigns/${SLUG}/letters`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body,
    redirect: 'manual',
  })
  return { status: res.status, body: await res.text() }
}

async function reads(base: string): Promise<boolean> {
  const page = await fetch(`${base}/campaigns/${SLUG}`)
  await page.arrayBuffer()
  const tally = await fetch(`${base}/api/campaigns/${SLUG}/tally`)
  await tally.arrayBuffer()
  return page.status === 200 && tally.status === 200
}

/** Runs one fault: `breakIt`, then a form letter and API letters, then `fixIt`, then a letter. */
async function fault(name: string, code: RegExp, server: Child, base: string, breakIt: () => string, fixIt: () => string) {
  console.log(`\n${name}`)
  const before = dbState()
  const tailFrom = server.tail.length
  console.log(`  ${breakIt()}`)
  const api = await apiLetter(base)
  const form = await formLetter(base)
  const more = await Promise.all(Array.from({ length: 20 }, () => apiLetter(base)))
  const readsOk = await reads(base)
  await sleep(200)
  const logged = server.tail.slice(tailFrom).filter((l) => l.includes('"request failed"') && code.test(l))
  const during = dbState()
  console.log(`  API letter: ${api.status} ${api.body}`)
  console.log(`  form letter: ${form.status} ${/<title>([^<]*)/.exec(form.body)?.[1] ?? ''} / ${/We cannot save[^<]*/.exec(form.body)?.[0] ?? form.body.slice(0, 80)}`)
  console.log(`  20 more API letters: ${JSON.stringify(countBy(more.map((r) => r.status)))}`)
  console.log(`  log: ${logged.length} "request failed" lines, e.g. ${(logged[0] ?? '').slice(0, 200)}`)
  check(`${name}: the API answers 503 with a plain message`, api.status === 503 && /cannot save anything right now/.test(api.body) && !/SQLITE|\.ts:/.test(api.body))
  check(`${name}: the form answers a 503 page`, form.status === 503 && /Temporarily unavailable/.test(form.body) && /We cannot save anything right now/.test(form.body))
  check(`${name}: every write refused (no 5xx other than 503, no 2xx)`, more.every((r) => r.status === 503))
  check(`${name}: one log line per refused write, with the cause`, logged.length === 22)
  check(`${name}: pages and the tally are still served`, readsOk)
  check(`${name}: nothing half-written (${JSON.stringify(during)})`, JSON.stringify(during) === JSON.stringify(before))
  console.log(`  ${fixIt()}`)
  const again = await apiLetter(base)
  const after = dbState()
  check(`${name}: a letter is accepted again once storage is back (${again.status})`, again.status === 201)
  check(
    `${name}: it is counted once (${JSON.stringify(after)})`,
    after.letters === before.letters + 1 && after.tally === before.tally + 1 && after.outbox === before.outbox + 1,
  )
}

function countBy(xs: number[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const x of xs) out[x] = (out[x] ?? 0) + 1
  return out
}

// ---------------------------------------------------------------- run

console.log('Outcry fault script: disk full, then a read-only filesystem')
console.log(`machine: ${machine()}`)
console.log(`database on an 8 MB tmpfs at ${mnt}`)

const sink = await startSink()
const env = outcryEnv(await freePort(), databasePath, sink.url, { LOG_LEVEL: 'error' })
await runToEnd('seed', 'src/cli/seed-demo.ts', { ...env, DEMO_CONFIRM: 'off', DEMO_PACE: 'off' })
const { child: server, base } = await startOutcry(env)
// Log lines are checked, not shown: keep the child quiet on our stderr.
server.proc.stderr!.removeAllListeners('data')
server.proc.stdout!.removeAllListeners('data')
const keep = (chunk: Buffer) => server.tail.push(...chunk.toString('utf8').split('\n').filter(Boolean))
server.proc.stderr!.on('data', keep)
server.proc.stdout!.on('data', keep)

const first = await apiLetter(base)
check(`a letter before any fault is accepted (${first.status})`, first.status === 201)

await fault(
  'disk full',
  /SQLITE_FULL|SQLITE_IOERR/,
  server,
  base,
  () => `filled the filesystem: ${(fillDisk() / 2 ** 20).toFixed(1)} MB of filler, ${freeBytes()} bytes free`,
  () => {
    fs.rmSync(filler)
    return `removed the filler: ${(freeBytes() / 2 ** 20).toFixed(1)} MB free`
  },
)

// Linux will not remount a filesystem read-only while a process has files open on it for
// writing, so this part stops Outcry first: a volume that comes back read-only after a restart.
// (A database turned read-only under a running Outcry is tested in test/storage.test.ts.)
console.log('\nread-only filesystem at start-up')
const stopped = await stopChild(server)
const beforeRo = dbState()
remount('ro')
console.log('  stopped Outcry, remounted the filesystem read-only, starting Outcry again')
const roStart = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: root, env, encoding: 'utf8', timeout: 60_000 })
const said = `${roStart.stderr ?? ''}${roStart.stdout ?? ''}`.trim()
console.log(`  exit ${roStart.status}${roStart.error ? ` (${roStart.error.message})` : ''}; it said:\n${said.replace(/^/gm, '    ')}`)
check(`read-only: the first server stopped cleanly (exit ${stopped.code ?? stopped.signal})`, stopped.code === 0)
check('read-only: Outcry refuses to start, exit code 1', roStart.status === 1)
check('read-only: with a message naming the file and what to check, no stack trace', /Cannot open the database at/.test(said) && !/^\s+at /m.test(said))
remount('rw')
console.log('  remounted it read-write, starting Outcry again')
const again = await startOutcry(env, 'outcry (restarted)')
const afterRo = await apiLetter(again.base)
const afterRoState = dbState()
check(`read-only: letters are accepted again (${afterRo.status})`, afterRo.status === 201)
check(
  `read-only: counted once (${JSON.stringify(afterRoState)})`,
  afterRoState.letters === beforeRo.letters + 1 && afterRoState.tally === beforeRo.tally + 1 && afterRoState.outbox === beforeRo.outbox + 1,
)

const stop = await stopChild(again.child)
await stopChild(sink.child)
const db = new Database(databasePath, { fileMustExist: true })
const integrity = db.pragma('integrity_check', { simple: true })
const final = dbState()
const letterMail = (db.prepare("select count(*) as n from outbox where kind = 'letter'").get() as { n: number }).n
db.close()
console.log('\nafter a clean stop (SIGTERM):')
check(`the server stopped cleanly (exit ${stop.code ?? stop.signal})`, stop.code === 0)
check(`SQLite integrity_check: ${integrity}`, integrity === 'ok')
check(`letters ${final.letters} = tally ${final.tally} = letter mails ${letterMail} = 3 accepted letters`, final.letters === 3 && final.tally === 3 && letterMail === 3)

const failed = checks.filter(([, pass]) => !pass).length
console.log(`\n${checks.length - failed} checks passed, ${failed} failed`)
process.exit(failed ? 1 : 0)

function freeBytes(): number {
  const s = fs.statfsSync(mnt)
  return s.bavail * s.bsize
}

