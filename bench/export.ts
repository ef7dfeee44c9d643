// Export benchmark: letters.csv of a campaign with 1,000,000 letters, downloaded from the real server
// (signed in through the login form), timed, with the server's peak resident memory sampled from /proc.
// The floor is a bare fastify process streaming the same rows from the same database with
// better-sqlite3 .iterate() through csv-stringify's stream; a second floor gathers the rows 1,000 at a
// time and stringifies each page as one chunk, as the export does.
//
//   npm run bench:export                 # 1,000,000 letters
//   BENCH_LETTERS=100000 npm run bench:export
//   BENCH_KEEP=1 keeps the temporary directory (the database is ~1.5 GB at 1M letters);
//   BENCH_DB=/path/file.db keeps the database there and reuses it on the next run.
//
// Aim: under 15 s and under 200 MB resident. The exit code is 1 if a download is incomplete.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { Readable, pipeline } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import Database from 'better-sqlite3'

const root = fileURLToPath(new URL('..', import.meta.url))
const AIM_SECONDS = 15
const AIM_RSS_MB = 200

/**
 * The floor: fastify + better-sqlite3 .iterate() + csv-stringify, the same query, columns and cell rules.
 * `stream`: every row through csv-stringify's Transform (the plain way); `pages`: rows gathered 1,000 at a
 * time and each page stringified as one chunk, as the export does.
 */
async function floorServer(dbPath: string, port: number, mode: string) {
  const { default: Fastify } = await import('fastify')
  const { stringify } = await import('csv-stringify')
  const { stringify: stringifySync } = await import('csv-stringify/sync')
  const db = new Database(dbPath, { fileMustExist: true })
  // The same cells as the export's query, computed by SQLite, rows as plain arrays.
  const stmt = db
    .prepare(
      `select strftime('%Y-%m-%d %H:%M:%S', l.created_at / 1000, 'unixepoch'), l.status, t.name, coalesce(l.supporter_name, ''), l.country,
              coalesce(l.city, ''), coalesce(l.organisation, ''), case when l.consent then coalesce(l.supporter_email, '') else '' end
       from letters l join targets t on t.id = l.target_id where l.campaign_id = ? order by l.created_at, l.id`,
    )
    .raw()
  const columns = ['date', 'status', 'official', 'supporter name', 'country', 'city', 'organisation', 'email']
  const rows = () => stmt.iterate(1) as IterableIterator<unknown[]>
  function* pages() {
    let page: unknown[][] = []
    for (const row of rows()) {
      page.push(row)
      if (page.length === 1000) {
        yield page
        page = []
      }
    }
    yield page
  }
  const app = Fastify({ logger: false })
  app.get('/letters.csv', async (_req, reply) => {
    reply.header('content-type', 'text/csv; charset=utf-8')
    if (mode === 'stream') {
      const out = stringify({ header: true, columns, escape_formulas: true })
      pipeline(Readable.from(rows(), { objectMode: true, highWaterMark: 64 }), out, () => {})
      return reply.send(out)
    }
    const it = pages()
    let first = true
    const out = new Readable({
      read() {
        const next = it.next()
        if (next.done) return void this.push(null)
        this.push(stringifySync(next.value, { header: first, columns, escape_formulas: true }))
        first = false
      },
    })
    return reply.send(out)
  })
  app.get('/health', async () => ({ status: 'ok' }))
  await app.listen({ port, host: '127.0.0.1' })
}

async function main() {
  const LETTERS = Number(process.env.BENCH_LETTERS ?? 1_000_000)
  const KEEP = process.env.BENCH_KEEP === '1'
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'outcry-bench-export-'))
  // BENCH_DB=/path/file.db keeps the database there and reuses it on the next run (it must hold BENCH_LETTERS letters).
  const dbPath = process.env.BENCH_DB ? path.resolve(process.env.BENCH_DB) : path.join(tmp, 'outcry.db')
  const reuse = fs.existsSync(dbPath)
  const children = new Set<ChildProcess>()
  process.on('exit', () => {
    for (const c of children) c.kill('SIGKILL')
    if (!KEEP) fs.rmSync(tmp, { recursive: true, force: true })
  })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130))

  const env = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', RATE_LIMITS: 'off', DISPATCHER: 'off', DATABASE_PATH: dbPath, HOST: '127.0.0.1' }
  console.log(`Outcry export benchmark: letters.csv of a campaign with ${LETTERS.toLocaleString('en')} letters`)
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}\n`)

  // 1. The database: the demo campaign, then the letters straight into SQLite.
  let t0 = performance.now()
  if (!reuse) {
    execFileSync('npx', ['tsx', 'src/cli/seed-demo.ts'], { cwd: root, env, stdio: 'ignore' })
    insertLetters(dbPath, LETTERS)
  }
  console.log(`database: ${LETTERS.toLocaleString('en')} letters ${reuse ? 'reused' : `inserted in ${seconds(performance.now() - t0)} s`}, ${(fs.statSync(dbPath).size / 2 ** 20).toFixed(0)} MB`)

  // 2. An admin, created the documented way.
  const email = 'bench-admin@example.org'
  const password = crypto.randomBytes(18).toString('base64url')
  execFileSync('npx', ['tsx', 'src/cli/admin-create.ts', '--email', email], { cwd: root, env: { ...env, ADMIN_PASSWORD: password }, stdio: 'ignore' })

  // Both servers read a warm page cache: one full pass over the table first.
  t0 = performance.now()
  warm(dbPath)
  console.log(`page cache warmed in ${seconds(performance.now() - t0)} s\n`)

  // 3. The floors: the plain csv-stringify stream, then page by page.
  const floors: Run[] = []
  for (const mode of ['stream', 'pages']) {
    const floorPort = await freePort()
    const floor = await startChild([...tsx(), fileURLToPath(import.meta.url), '--floor-server', dbPath, String(floorPort), mode], env, floorPort, children)
    console.log(`floor server (${mode}): ${mb(rssOf(floor.pid!))} MB resident after start`)
    const floorRun = await download(`http://127.0.0.1:${floorPort}/letters.csv`, {}, floor.pid!)
    floor.kill()
    children.delete(floor)
    report(mode === 'stream' ? 'floor (fastify + .iterate() → csv-stringify stream, row by row)' : 'floor (fastify + .iterate() → csv-stringify, 1,000 rows a chunk)', floorRun, LETTERS)
    floors.push(floorRun)
  }
  const [floorRun, pagesRun] = floors as [Run, Run]

  // 4. Outcry itself, signed in through the form.
  const port = await freePort()
  const server = await startChild([...tsx(), 'src/server.ts'], { ...env, PORT: String(port) }, port, children)
  const base = `http://127.0.0.1:${port}`
  const idleRss = rssOf(server.pid!)
  const cookie = await signIn(base, email, password)
  console.log(`outcry server: ${mb(idleRss)} MB resident after start, ${mb(rssOf(server.pid!))} MB after signing in`)
  const run = await download(`${base}/admin/campaigns/1/exports/letters.csv`, { cookie }, server.pid!)
  report('outcry  (GET /admin/campaigns/1/exports/letters.csv)', run, LETTERS)
  server.kill()
  children.delete(server)

  console.log(`\noutcry / floor time: ${(run.ms / floorRun.ms).toFixed(2)}× (${seconds(run.ms)} s vs ${seconds(floorRun.ms)} s)   peak RSS: outcry ${mb(run.peakRss)} MB, floor ${mb(floorRun.peakRss)} MB`)
  console.log(`outcry / page-wise floor: ${(run.ms / pagesRun.ms).toFixed(2)}× (${seconds(run.ms)} s vs ${seconds(pagesRun.ms)} s)   peak RSS: ${mb(run.peakRss)} MB vs ${mb(pagesRun.peakRss)} MB`)
  console.log(`aim: under ${AIM_SECONDS} s → ${run.ms / 1000 < AIM_SECONDS ? 'met' : 'MISSED'} (${seconds(run.ms)} s); under ${AIM_RSS_MB} MB resident → ${mb(run.peakRss) < AIM_RSS_MB ? 'met' : 'MISSED'} (${mb(run.peakRss)} MB)`)
  console.log(`file name: ${run.disposition}`)
  const complete = [run, ...floors].every((r) => r.lines === LETTERS + 1)
  if (!complete) {
    console.error(`INCOMPLETE: expected ${LETTERS + 1} lines (header + letters)`)
    process.exitCode = 1
  }
  if (KEEP) console.log(`kept ${tmp}`)
}

interface Run {
  ms: number
  bytes: number
  lines: number
  peakRss: number
  startRss: number
  status: number
  disposition: string
}

function report(name: string, r: Run, letters: number) {
  const ok = r.lines === letters + 1 ? 'complete' : `INCOMPLETE (expected ${(letters + 1).toLocaleString('en')})`
  console.log(
    `${name}\n  ${seconds(r.ms)} s, ${(r.bytes / 2 ** 20).toFixed(1)} MB at ${(r.bytes / 2 ** 20 / (r.ms / 1000)).toFixed(1)} MB/s, ` +
      `${r.lines.toLocaleString('en')} lines (${ok}), peak RSS ${mb(r.peakRss)} MB (${mb(r.startRss)} MB before), HTTP ${r.status}`,
  )
}

const seconds = (ms: number) => (ms / 1000).toFixed(2)
const mb = (bytes: number) => Math.round(bytes / 2 ** 20)
const tsx = () => ['--import', 'tsx']

/** Resident memory of a process, in bytes (Linux). */
function rssOf(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
    return kb ? Number(kb) * 1024 : 0
  } catch {
    return 0
  }
}

/** Downloads while sampling the server's RSS every 100 ms; counts bytes and lines without keeping the body. */
async function download(url: string, headers: Record<string, string>, pid: number): Promise<Run> {
  const startRss = rssOf(pid)
  let peakRss = startRss
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssOf(pid))
  }, 100)
  const t0 = performance.now()
  const res = await fetch(url, { headers })
  let bytes = 0
  let lines = 0
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++
  }
  const ms = performance.now() - t0
  clearInterval(sampler)
  peakRss = Math.max(peakRss, rssOf(pid))
  return { ms, bytes, lines, peakRss, startRss, status: res.status, disposition: res.headers.get('content-disposition') ?? '' }
}

/** The login form as a browser fills it: CSRF cookie and token from GET, then POST; keeps outcry_admin. */
async function signIn(base: string, email: string, password: string): Promise<string> {
  const page = await fetch(`${base}/admin/login`)
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1]
  const csrfCookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
  if (!token) throw new Error('no CSRF token on the login page')
  const res = await fetch(`${base}/admin/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
    body: new URLSearchParams({ _csrf: token, email, password }).toString(),
  })
  const session = res.headers.getSetCookie().find((c) => c.startsWith('outcry_admin='))
  if (res.status !== 303 || !session) throw new Error(`sign-in failed: HTTP ${res.status}`)
  return session.split(';')[0]!
}

async function startChild(args: string[], env: NodeJS.ProcessEnv, port: number, children: Set<ChildProcess>): Promise<ChildProcess> {
  const proc = spawn(process.execPath, args, { cwd: root, env: { ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] })
  children.add(proc)
  for (let i = 0; i < 300; i++) {
    if (proc.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${proc.exitCode}`)
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return proc
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${args.join(' ')} did not start`)
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo
      s.close(() => resolve(port))
    })
  })
}

function warm(dbPath: string) {
  const db = new Database(dbPath, { fileMustExist: true })
  db.prepare(`select count(*), sum(length(supporter_name)), sum(length(body)) from letters`).get()
  db.close()
}

// ---- Realistic letters: names and places from the countries that write, about half consenting. ----

const PEOPLE: { country: string; cities: string[]; first: string[]; last: string[]; orgs: string[] }[] = [
  { country: 'GB', cities: ['London', 'Leeds', 'Manchester', 'Glasgow', 'Cardiff', 'Bristol', 'Sheffield'], first: ['Sarah', 'James', 'Aisha', 'Tom', 'Niamh', 'Owen', 'Priya', 'David'], last: ['Smith', 'Jones', "O'Brien", 'Patel', 'Evans', 'Campbell', 'Hughes'], orgs: ['Unite', 'UNISON', 'GMB', 'RMT', 'PCS', ''] },
  { country: 'KZ', cities: ['Алматы', 'Жанаозен', 'Актау', 'Астана', 'Шымкент'], first: ['Айгерим', 'Нурлан', 'Роза', 'Канат', 'Асель', 'Ерлан'], last: ['Тулетаева', 'Жусипбаев', 'Сапаров', 'Нурпеисова', 'Ахметов'], orgs: ['Профсоюз нефтяников', ''] },
  { country: 'RU', cities: ['Москва', 'Санкт-Петербург', 'Новосибирск', 'Екатеринбург'], first: ['Ольга', 'Дмитрий', 'Анна', 'Сергей', 'Мария'], last: ['Иванова', 'Петров', 'Смирнова', 'Кузнецов'], orgs: ['КТР', ''] },
  { country: 'UA', cities: ['Київ', 'Львів', 'Харків', 'Одеса'], first: ['Олена', 'Тарас', 'Ірина', 'Богдан'], last: ['Коваль', 'Шевченко', 'Бондаренко', 'Мельник'], orgs: ['КВПУ', ''] },
  { country: 'DE', cities: ['Berlin', 'Hamburg', 'München', 'Köln', 'Leipzig'], first: ['Jürgen', 'Anna', 'Mehmet', 'Lena', 'Jörg'], last: ['Müller', 'Schröder', 'Yılmaz', 'Weiß', 'Becker'], orgs: ['ver.di', 'IG Metall', 'GEW', ''] },
  { country: 'FR', cities: ['Paris', 'Lyon', 'Marseille', 'Saint-Étienne'], first: ['Élodie', 'François', 'Zoé', 'Benoît'], last: ['Lefèvre', 'Dubois', 'Moreau', 'Girard'], orgs: ['CGT', 'Solidaires', ''] },
  { country: 'PL', cities: ['Warszawa', 'Kraków', 'Gdańsk', 'Łódź'], first: ['Małgorzata', 'Paweł', 'Zofia', 'Łukasz'], last: ['Wiśniewska', 'Kowalski', 'Wójcik', 'Zieliński'], orgs: ['OPZZ', 'Inicjatywa Pracownicza', ''] },
  { country: 'US', cities: ['New York', 'Chicago', 'Oakland', 'Detroit'], first: ['Maria', 'John', 'Keisha', 'Luis'], last: ['Garcia', 'Johnson', 'Williams', 'Nguyen'], orgs: ['UAW', 'SEIU', 'Labor Notes', ''] },
]

const BODY = `Dear President,

I am writing about the oil workers of Zhanaozen who were imprisoned after the strike of 2011.

On 16 December 2011 police opened fire on striking oil workers and their supporters in Zhanaozen. Instead of punishing those responsible for the shooting, the authorities jailed workers and strike activists, among them Roza Tuletaeva, Kanat Zhusipbaev and Shabdal Utkilov. Their trial was marred by credible reports of torture.

I ask you to release the imprisoned Zhanaozen oil workers, to investigate the allegations of torture, and to respect the right of workers in Kazakhstan to organise and to strike.

Yours sincerely,
`

function insertLetters(dbPath: string, count: number) {
  const db = new Database(dbPath)
  const targets = db.prepare(`select id from targets where campaign_id = 1 order by id`).all() as { id: number }[]
  const insert = db.prepare(
    `insert into letters (public_id, campaign_id, target_id, language, supporter_name, supporter_email, email_normalized, country, city, organisation, wants_copy, consent, subject, body, status, created_at, counted_at, sent_at)
     values (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 'Free the Zhanaozen oil workers', ?, ?, ?, ?, ?)`,
  )
  const perTarget = new Map<number, number>()
  const start = Date.now() - 90 * 86_400_000
  // mulberry32: a seeded generator, so every run inserts the same letters.
  let seed = 42
  const rand = (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) % n
  }
  const pick = <T>(list: T[]) => list[rand(list.length)]!
  let counted = 0
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const p = PEOPLE[i % 10 < 4 ? 0 : rand(PEOPLE.length)]!
      const name = `${pick(p.first)} ${pick(p.last)}`
      const city = pick(p.cities)
      const email = `supporter${i}@example.org`
      const target = targets[i % targets.length]!.id
      // Letters arrive over 90 days, ordered in time like real ones.
      const at = start + Math.floor((i / count) * 90 * 86_400_000)
      const status = i % 50 === 0 ? 'pending_confirmation' : i % 5 === 0 ? 'queued' : 'sent'
      if (status !== 'pending_confirmation') {
        counted++
        perTarget.set(target, (perTarget.get(target) ?? 0) + 1)
      }
      insert.run(
        crypto.randomBytes(12).toString('base64url'),
        target,
        p.country === 'GB' || p.country === 'US' ? 'en' : 'ru',
        name,
        email,
        email,
        p.country,
        city,
        pick(p.orgs) || null,
        rand(2),
        BODY + `${name}\n${city}`,
        status,
        at,
        status === 'pending_confirmation' ? null : at,
        status === 'sent' ? at + 60_000 : null,
      )
    }
    db.prepare(`update campaigns set letters_count = ?, tally_updated_at = ? where id = 1`).run(counted, Date.now())
    const setTarget = db.prepare(`update targets set letters_count = ? where id = ?`)
    for (const [id, n] of perTarget) setTarget.run(n, id)
  })()
  db.close()
}

// Last, once every constant above is initialised.
if (process.argv[2] === '--floor-server') await floorServer(process.argv[3]!, Number(process.argv[4]), process.argv[5] ?? 'stream')
else await main()
