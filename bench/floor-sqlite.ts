// Floor 2: a bare fastify server whose POST writes one SQLite transaction of three rows,
// with the pragmas of src/db/client.ts. The cheapest a durable letter write can be here.
import Fastify from 'fastify'
import Database from 'better-sqlite3'

const file = process.env.DATABASE_PATH
if (!file) throw new Error('DATABASE_PATH is required')

const sqlite = new Database(file)
sqlite.pragma('journal_mode = WAL')
sqlite.pragma('synchronous = NORMAL')
sqlite.pragma('busy_timeout = 5000')
sqlite.pragma('foreign_keys = ON')
sqlite.exec(`
  create table if not exists supporters (
    id integer primary key autoincrement,
    name text not null,
    email text not null,
    country text not null,
    city text not null,
    created_at integer not null
  );
  create unique index if not exists supporters_email_unique on supporters (email);
  create table if not exists letters (
    id integer primary key autoincrement,
    supporter_id integer not null references supporters (id),
    target_id integer not null,
    created_at integer not null
  );
  create table if not exists outbox (
    id integer primary key autoincrement,
    kind text not null,
    letter_id integer not null,
    recipient text not null,
    created_at integer not null
  );
`)

const insertSupporter = sqlite.prepare('insert into supporters (name, email, country, city, created_at) values (?, ?, ?, ?, ?)')
const insertLetter = sqlite.prepare('insert into letters (supporter_id, target_id, created_at) values (?, ?, ?)')
const insertOutbox = sqlite.prepare('insert into outbox (kind, letter_id, recipient, created_at) values (?, ?, ?, ?)')

interface Body {
  name: string
  email: string
  country: string
  city: string
  targetId: number
}

const write = sqlite.transaction((b: Body) => {
  const now = Date.now()
  const supporter = insertSupporter.run(b.name, b.email, b.country, b.city, now)
  const letter = insertLetter.run(supporter.lastInsertRowid, b.targetId, now)
  insertOutbox.run('letter', letter.lastInsertRowid, b.email, now)
  return Number(letter.lastInsertRowid)
})

const app = Fastify({ logger: false })
app.get('/health', async () => ({ status: 'ok' }))
app.post('/api/campaigns/:slug/letters', async (req, reply) => {
  const id = write(req.body as Body)
  return reply.code(201).send({ letter: { id } })
})

await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' })
process.on('SIGTERM', () => {
  app.close().then(() => {
    sqlite.close()
    process.exit(0)
  })
})
