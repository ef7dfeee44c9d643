// A full disk or a read-only database: the write is refused with a 503 page or JSON error and a
// log line, nothing is half-written, reads go on, and writes work again once storage does.
// SQLite's own limits stand in for the disk here (max_page_count gives SQLITE_FULL, query_only
// SQLITE_READONLY); `npm run fault:disk-full` does the same on a real filesystem that fills up
// and is remounted read-only.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { openDatabase } from '../src/db/client.js'
import { build, formSession, postForm, supporter, tableCount, tempDir } from './helper.js'

function logCapture() {
  const lines: { msg?: string; err?: { code?: string; message?: string } }[] = []
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line))
      done()
    },
  })
  return { lines, logger: { level: 'error', stream } }
}

function state(app: FastifyInstance) {
  const campaign = app.db.$client.prepare("select letters_count as tally from campaigns where slug = 'zhanaozen'").get() as { tally: number }
  return { letters: tableCount(app, 'letters'), outbox: tableCount(app, 'outbox'), tally: campaign.tally }
}

let n = 0
const letter = (app: FastifyInstance) =>
  app.inject({
    method: 'POST',
    url: '/api/campaigns/zhanaozen/letters',
    headers: { 'content-type': 'application/json' },
    payload: { ...supporter, email: `storage-${++n}@example.com`, targetId: 1 },
  })

async function stillReads(t: Test, app: FastifyInstance) {
  t.equal((await app.inject('/campaigns/zhanaozen')).statusCode, 200, 'the campaign page still loads')
  t.equal((await app.inject('/api/campaigns/zhanaozen/tally')).statusCode, 200, 'the tally still answers')
}

t.test('a full disk: 503 and a log line, nothing half-written, and writes resume when there is room', async (t) => {
  const log = logCapture()
  const app = await build(t, { logger: log.logger })
  const sqlite = app.db.$client
  t.equal((await letter(app)).statusCode, 201)

  // No room for one more page. A letter may still fit in a page that has space, so write until one does not.
  sqlite.pragma(`max_page_count = ${sqlite.pragma('page_count', { simple: true })}`)
  let before = state(app)
  let refused
  for (let i = 0; i < 50 && !refused; i++) {
    before = state(app)
    const res = await letter(app)
    if (res.statusCode !== 201) refused = res
  }
  t.ok(refused, 'a letter was refused once the disk was full')
  t.equal(refused!.statusCode, 503)
  t.same(refused!.json(), { error: 'We cannot save anything right now. Please try again in a few minutes.' })
  t.notMatch(refused!.body, /SQLITE|at .*\.ts/, 'no internals in the answer')
  t.same(state(app), before, 'the refused letter left no row, no mail and no count behind')
  t.ok(
    log.lines.some((l) => l.msg === 'request failed' && l.err?.code === 'SQLITE_FULL'),
    'the failure is logged with its cause',
  )

  const form = await formSession(app, '/campaigns/zhanaozen')
  const page = await postForm(app, '/campaigns/zhanaozen/letters', { ...supporter, email: 'form-full@example.com', target: '1' }, form)
  t.equal(page.statusCode, 503)
  t.match(page.headers['content-type'], /text\/html/)
  t.match(page.body, /Temporarily unavailable/)
  t.match(page.body, /We cannot save anything right now/)
  t.same(state(app), before, 'the form letter left nothing behind either')
  await stillReads(t, app)

  sqlite.pragma('max_page_count = 1073741823')
  t.equal((await letter(app)).statusCode, 201, 'writes work again once there is room')
  const after = state(app)
  t.same(after, { letters: before.letters + 1, outbox: before.outbox, tally: before.tally + 1 }, 'the letter and its count; its mail is made later, when its official takes it')
  t.equal(after.tally, after.letters, 'the tally still counts every letter')
  t.equal(sqlite.pragma('integrity_check', { simple: true }), 'ok')
})

t.test('a read-only database: 503 and a log line, reads go on, and writes resume', async (t) => {
  const log = logCapture()
  const app = await build(t, { logger: log.logger })
  const sqlite = app.db.$client
  const before = state(app)

  sqlite.pragma('query_only = 1')
  const res = await letter(app)
  t.equal(res.statusCode, 503)
  t.match(res.json(), { error: /cannot save anything right now/ })
  t.ok(log.lines.some((l) => l.msg === 'request failed' && l.err?.code === 'SQLITE_READONLY'), 'the failure is logged with its cause')
  const rsvp = await app.inject({ method: 'POST', url: '/api/pickets/1/rsvps', headers: { 'content-type': 'application/json' }, payload: { name: 'Ana', email: 'ana@example.com' } })
  t.equal(rsvp.statusCode, 503, 'an RSVP is refused the same way')
  t.same(state(app), before)
  await stillReads(t, app)

  sqlite.pragma('query_only = 0')
  t.equal((await letter(app)).statusCode, 201, 'writes work again')
  t.same(state(app), { letters: before.letters + 1, outbox: before.outbox, tally: before.tally + 1 })
})

t.test('a database that cannot be opened stops start-up with a plain message, not a stack trace', async (t) => {
  const dir = tempDir(t)
  // A folder where the file should be: SQLite cannot open it, as with a read-only or missing volume.
  const file = path.join(dir, 'outcry.db')
  fs.mkdirSync(file)
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, NODE_ENV: 'test', DATABASE_PATH: file, PORT: '0', LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 60_000,
  })
  t.equal(run.status, 1)
  t.match(run.stderr, `Cannot open the database at ${file}`)
  t.match(run.stderr, /SQLITE_CANTOPEN/)
  t.match(run.stderr, /writable by this user/)
  t.notMatch(run.stderr, /^\s+at /m, 'no stack trace')
})

t.test('a file that is not a database is named as such', async (t) => {
  const file = path.join(tempDir(t), 'outcry.db')
  fs.writeFileSync(file, 'this is a spreadsheet, not a database '.repeat(200))
  t.throws(() => openDatabase(file), { name: 'Error', message: /Cannot open the database at .*SQLITE_NOTADB.*\n.*not an Outcry database, or it is damaged/s })
  t.equal(fs.readFileSync(file, 'utf8').slice(0, 12), 'this is a sp', 'and it is left as it was')
})
