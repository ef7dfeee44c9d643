import { execFile, spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import Database from 'better-sqlite3'
import { build, supporter, tempDir } from '../helper.js'
import { openDatabase } from '../../src/db/client.js'
import { backup, CliError } from '../../src/cli/backup.js'
import { restore } from '../../src/cli/restore.js'

const run = promisify(execFile)

/** Runs `npm run <script>` as the server's environment would, with DATABASE_PATH set. */
async function cli(script: 'backup' | 'restore', databasePath: string, ...args: string[]) {
  const env = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_PATH: databasePath }
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', `src/cli/${script}.ts`, ...args], { env })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

type App = Awaited<ReturnType<typeof build>>
let written = 0
const writeLetter = async (app: App) => {
  const n = written++
  const res = await app.inject({
    method: 'POST',
    url: '/api/campaigns/zhanaozen/letters',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ ...supporter, email: `supporter${n}@example.org`, targetId: 1 + (n % 2) }),
  })
  if (res.statusCode !== 201) throw new Error(`letter ${n}: ${res.statusCode} ${res.body}`)
}

/** What a database file holds: letters, the tally counter and the letters that count, SQLite's verdict. */
function inspect(file: string) {
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    const integrity = db.pragma('integrity_check', { simple: true })
    const letters = (db.prepare('select count(*) as n from letters').get() as { n: number }).n
    const { tally, counted } = db
      .prepare(`select letters_count as tally, (select count(*) from letters where campaign_id = c.id and status <> 'pending_confirmation') as counted from campaigns c where slug = 'zhanaozen'`)
      .get() as { tally: number; counted: number }
    const byTarget = db.prepare(`select t.letters_count as tally, (select count(*) from letters l where l.target_id = t.id and l.status <> 'pending_confirmation') as counted from targets t`).all() as { tally: number; counted: number }[]
    return { integrity, letters, tally, counted, byTarget, journal: db.pragma('journal_mode', { simple: true }) }
  } finally {
    db.close()
  }
}

const noStack = (test: Pick<typeof t, 'notMatch'>, stderr: string) => test.notMatch(stderr, /\n\s+at /, 'a message, not a stack trace')

t.test('npm run backup while letters are being written: a sound copy whose tally equals its letters', async (t) => {
  const dir = tempDir(t)
  const app = await build(t, { dir })
  const live = path.join(dir, 'outcry.db')
  for (let i = 0; i < 50; i++) await writeLetter(app)
  const copy = path.join(dir, 'backups', 'outcry-copy.db')
  fs.mkdirSync(path.dirname(copy))

  // The backup runs in its own process, as it would beside the server; this one goes on writing.
  const before = inspect(live).letters
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/backup.ts', copy], {
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_PATH: live },
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  let done = false
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => ((done = true), resolve(code))))
  while (!done) await writeLetter(app)
  const code = await exited
  const after = inspect(live).letters

  t.equal(code, 0, stderr)
  t.match(stdout, /^Backed up .*outcry\.db to .*outcry-copy\.db: [\d.]+ [kM]?B, 1 campaign, [\d,]+ letters, integrity ok, in \d+\.\d\d s\.\n$/)
  t.ok(after - before > 10, `letters were written while the backup ran (${after - before})`)
  const copied = inspect(copy)
  t.equal(copied.integrity, 'ok', 'the copy passes integrity_check')
  t.ok(copied.letters >= before && copied.letters <= after, `the copy holds the letters of one moment (${before} ≤ ${copied.letters} ≤ ${after})`)
  t.equal(copied.tally, copied.letters, 'the tally counter equals the letters in the copy')
  t.equal(copied.counted, copied.letters)
  for (const target of copied.byTarget) t.equal(target.tally, target.counted, "each official's counter equals their letters")
  t.equal(copied.journal, 'delete', 'one self-contained file, no -wal beside it')
  t.equal(fs.statSync(copy).mode & 0o777, 0o600, 'readable by its owner only: it holds supporters’ data')
  t.same(fs.readdirSync(path.dirname(copy)), ['outcry-copy.db'], 'no temporary file left behind')
  t.match(stdout, `${copied.letters.toLocaleString('en')} letters`, 'the count printed is the copy’s')

  // The live database is still the server's and still takes letters.
  await writeLetter(app)
  t.equal(inspect(live).tally, after + 1)
})

t.test('npm run backup refuses to overwrite a file without --force, and says why it cannot write', async (t) => {
  const dir = tempDir(t)
  const app = await build(t, { dir })
  await writeLetter(app)
  const live = path.join(dir, 'outcry.db')
  const copy = path.join(dir, 'copy.db')
  fs.writeFileSync(copy, 'keep me')

  const refused = await cli('backup', live, copy)
  t.equal(refused.code, 1, 'an existing file is refused')
  t.equal(refused.stderr, `${copy} exists already: not overwritten (add --force to replace it).\n`)
  t.equal(fs.readFileSync(copy, 'utf8'), 'keep me', 'and left as it was')

  const forced = await cli('backup', live, copy, '--force')
  t.equal(forced.code, 0, forced.stderr)
  t.equal(inspect(copy).letters, 1)

  // Root writes anywhere a mode allows nothing: /sys refuses even root.
  let locked = path.join(dir, 'locked')
  if (process.getuid?.() === 0) locked = '/sys'
  else fs.mkdirSync(locked, { mode: 0o500 })
  const junk = path.join(dir, 'junk.db')
  fs.writeFileSync(junk, 'not a database at all, just text that is long enough to have a header')
  const other = path.join(dir, 'other.db')
  new Database(other).exec('create table notes (x)')
  // Independent of each other: run side by side.
  const [none, noFolder, unwritable, missing, notDb, notOutcry, badConfig] = await Promise.all([
    cli('backup', live),
    cli('backup', live, path.join(dir, 'missing', 'copy.db')),
    cli('backup', live, path.join(locked, 'copy.db')),
    cli('backup', path.join(dir, 'nothing.db'), path.join(dir, 'copy2.db')),
    cli('backup', junk, path.join(dir, 'copy3.db')),
    cli('backup', other, path.join(dir, 'copy4.db')),
    run(process.execPath, ['--import', 'tsx', 'src/cli/backup.ts', path.join(dir, 'copy5.db')], {
      env: { ...process.env, NODE_ENV: 'test', DATABASE_PATH: live, TRUST_PROXY: 'on' },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    ),
  ])

  t.equal(none.code, 2)
  t.equal(none.stderr, 'Give one file to write the copy to. Usage: npm run backup -- <file> [--force]\n')

  t.equal(noFolder.code, 2, 'a folder that does not exist')
  t.equal(noFolder.stderr, `Cannot write the copy into ${path.join(dir, 'missing')}: no such file or folder.\n`)

  t.equal(unwritable.code, 2, 'a folder that cannot be written')
  t.equal(unwritable.stderr, `Cannot write the copy into ${locked}: permission denied.\n`)
  noStack(t, unwritable.stderr)

  t.equal(missing.code, 2, 'no database at DATABASE_PATH')
  t.equal(missing.stderr, `The database ${path.join(dir, 'nothing.db')} cannot be read: no such file or folder.\n`)
  t.notOk(fs.existsSync(path.join(dir, 'nothing.db')), 'and none is created')

  t.equal(notDb.code, 2, 'DATABASE_PATH is not a database')
  t.equal(notDb.stderr, `The database ${junk} is not an SQLite database.\n`)
  noStack(t, notDb.stderr)

  t.equal(notOutcry.code, 2)
  t.match(notOutcry.stderr, 'is an SQLite file but not an Outcry database (no campaigns, letters, __drizzle_migrations table)')

  t.equal(badConfig.code, 2, "the server's settings are read, and a bad one named")
  t.match(badConfig.stderr, /^Invalid configuration: TRUST_PROXY: .*\(the backup reads the server's settings\)\n$/)

  t.same(fs.readdirSync(dir).filter((f) => f.includes('.tmp')), [], 'no temporary files left behind')
})

t.test('npm run restore: the backup comes back, the current database is kept, and a running server is refused', async (t) => {
  const dir = tempDir(t)
  const live = path.join(dir, 'outcry.db')
  const app = await build(t, { dir })
  for (let i = 0; i < 5; i++) await writeLetter(app)
  const copy = path.join(dir, 'backup.db')
  const made = await backup(live, copy)
  t.equal(made.contents.letters, 5)
  for (let i = 0; i < 3; i++) await writeLetter(app)

  const busy = await cli('restore', live, copy)
  t.equal(busy.code, 1, 'refused while the server has the database open')
  t.match(busy.stderr, `The database ${live} is open in another program: stop the Outcry server (and npm run dispatch) first, then restore. Nothing was changed.`)
  t.equal(inspect(live).letters, 8)

  await app.close()
  fs.writeFileSync(`${live}-shm`, 'stale')
  const restored = await cli('restore', live, copy)
  t.equal(restored.code, 0, restored.stderr)
  t.match(restored.stdout, /^Restored .*backup\.db \([\d.]+ kB, 1 campaign, 5 letters\) into .*outcry\.db\. The previous database is kept as .*outcry\.db\.before-restore-\d{8}T\d{6}Z\. Start the server now\.\n$/)
  const kept = fs.readdirSync(dir).find((f) => /^outcry\.db\.before-restore-\d{8}T\d{6}Z$/.test(f))!
  t.ok(kept)
  t.equal(inspect(path.join(dir, kept)).letters, 8, 'the database before the restore is kept whole, in one file')
  t.notOk(fs.existsSync(`${live}-shm`), 'no stale -shm beside the restored database')
  t.notOk(fs.existsSync(`${live}-wal`))
  t.match(inspect(live), { integrity: 'ok', letters: 5, tally: 5 })

  // The server starts on it: migrations run, letters are taken again.
  const again = await build(t, { dir, seed: false })
  await writeLetter(again)
  t.equal(inspect(live).tally, 6)
})

t.test('npm run restore refuses a backup that is missing, not an Outcry database, damaged or from a newer version', async (t) => {
  const dir = tempDir(t)
  const live = path.join(dir, 'outcry.db')
  openDatabase(live).close()
  const good = path.join(dir, 'good.db')
  await backup(live, good)
  const untouched = fs.readFileSync(live)
  const unchanged = () => t.ok(fs.readFileSync(live).equals(untouched) && fs.readdirSync(dir).every((f) => !f.includes('before-restore') && !f.includes('.tmp')), 'nothing changed')

  const junk = path.join(dir, 'junk.db')
  fs.writeFileSync(junk, 'x'.repeat(4096))
  const [missing, notDb, none] = await Promise.all([cli('restore', live, path.join(dir, 'nope.db')), cli('restore', live, junk), cli('restore', live)])
  t.equal(missing.code, 2)
  t.equal(missing.stderr, `The backup ${path.join(dir, 'nope.db')} cannot be read: no such file or folder.\n`)
  t.equal(notDb.code, 2)
  t.equal(notDb.stderr, `The backup ${junk} is not an SQLite database.\n`)
  noStack(t, notDb.stderr)
  t.equal(none.code, 2)
  t.match(none.stderr, 'Give one backup file to restore. Usage: npm run restore -- <backup file>')
  unchanged()

  // A backup from a newer Outcry: a migration this version has never heard of.
  const newer = path.join(dir, 'newer.db')
  fs.copyFileSync(good, newer)
  new Database(newer).prepare('insert into __drizzle_migrations (hash, created_at) values (?, ?)').run('f'.repeat(64), Date.now() + 86_400_000)
  t.throws(() => restore(newer, live), new CliError('', 1), 'refused with exit code 1')
  t.throws(() => restore(newer, live), { message: /has 1 database migration this version of Outcry does not know .*Upgrade Outcry first, then restore\./ })
  unchanged()

  // A damaged backup: pages of the letters table overwritten.
  const damaged = path.join(dir, 'damaged.db')
  fs.copyFileSync(good, damaged)
  const db = new Database(damaged)
  const root = (db.prepare(`select rootpage from sqlite_master where name = 'letters'`).get() as { rootpage: number }).rootpage
  const pageSize = db.pragma('page_size', { simple: true }) as number
  db.close()
  const fd = fs.openSync(damaged, 'r+')
  fs.writeSync(fd, Buffer.alloc(pageSize, 0xff), 0, pageSize, (root - 1) * pageSize)
  fs.closeSync(fd)
  const broken = await cli('restore', live, damaged)
  t.equal(broken.code, 1, 'refused')
  t.match(broken.stderr, /^The backup .*damaged\.db is damaged \(SQLite: database disk image is malformed\)\.\n$/)
  noStack(t, broken.stderr)
  unchanged()

  // A fresh machine: no database yet, the backup simply goes in place.
  const fresh = path.join(dir, 'fresh', 'outcry.db')
  fs.mkdirSync(path.dirname(fresh))
  const result = restore(good, fresh)
  t.equal(result.kept, undefined)
  t.equal(new Database(fresh, { readonly: true }).pragma('integrity_check', { simple: true }), 'ok')
})
