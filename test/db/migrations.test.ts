// Migrations are applied at start-up to databases that hold real campaigns: each one must keep the
// data of the one before. This builds a database as the previous release left it, then upgrades it.
import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { openDatabase } from '../../src/db/client.js'
import { tempDir } from '../helper.js'

const drizzleDir = path.resolve(import.meta.dirname, '../../drizzle')

/** A copy of the migrations folder holding the first `count` migrations only. */
function migrationsUpTo(dir: string, count: number): string {
  const out = path.join(dir, 'migrations')
  fs.mkdirSync(path.join(out, 'meta'), { recursive: true })
  const journal = JSON.parse(fs.readFileSync(path.join(drizzleDir, 'meta/_journal.json'), 'utf8')) as { entries: { idx: number; tag: string }[] }
  journal.entries = journal.entries.filter((e) => e.idx < count)
  fs.writeFileSync(path.join(out, 'meta/_journal.json'), JSON.stringify(journal))
  for (const e of journal.entries) fs.copyFileSync(path.join(drizzleDir, `${e.tag}.sql`), path.join(out, `${e.tag}.sql`))
  return out
}

t.test('0002 (delivery) keeps the outbox and puts letters already queued as mail on their way', async (t) => {
  const dir = tempDir(t)
  const file = path.join(dir, 'outcry.db')
  const old = new Database(file)
  old.pragma('foreign_keys = ON')
  migrate(drizzle(old), { migrationsFolder: migrationsUpTo(dir, 2) })
  old.exec(`
    insert into campaigns (id, slug, title, goal, status, languages, created_at, updated_at) values (1, 'c', 'C', 10, 'live', '["en"]', 0, 0);
    insert into targets (id, campaign_id, name, country, email, language, created_at, updated_at) values (1, 1, 'T', 'KZ', 't@example.org', 'en', 0, 0);
    insert into letters (id, public_id, campaign_id, target_id, language, country, subject, body, status, created_at) values
      (1, 'a', 1, 1, 'en', 'GB', 's', 'b', 'queued', 0),
      (2, 'b', 1, 1, 'en', 'GB', 's', 'b', 'sent', 0),
      (3, 'c', 1, 1, 'en', 'GB', 's', 'b', 'queued', 0);
    insert into outbox (id, kind, letter_id, recipient, message, status, next_attempt_at, created_at) values
      (1, 'letter', 1, 't@example.org', '{"subject":"queued letter"}', 'queued', 0, 0),
      (2, 'letter', 2, 't@example.org', '{"subject":"sent letter"}', 'sent', 0, 0),
      (3, 'confirm_letter', null, 's@example.org', '{"subject":"confirm"}', 'queued', 0, 0);
  `)
  old.close()

  const upgraded = openDatabase(file)
  t.teardown(() => upgraded.close())
  const rows = upgraded.sqlite.prepare('select id, kind, status, message, digest_id from outbox order by id').all() as { id: number; message: string; digest_id: null }[]
  t.equal(rows.length, 3, 'every outbox row kept')
  t.same(rows.map((r) => JSON.parse(r.message).subject), ['queued letter', 'sent letter', 'confirm'], 'with its message')
  t.ok(rows.every((r) => r.digest_id === null))
  const statuses = upgraded.sqlite.prepare('select id, status from letters order by id').all()
  t.same(statuses, [{ id: 1, status: 'outgoing' }, { id: 2, status: 'sent' }, { id: 3, status: 'queued' }], 'a letter whose mail is queued is on its way, not queued twice')
  t.match(upgraded.sqlite.prepare(`select delivery, max_per_hour, send_hours_from, send_hours_to, for_countries, delivery_state from targets`).get(), { delivery: 'each', max_per_hour: 30, send_hours_from: 8, send_hours_to: 18, for_countries: '[]', delivery_state: 'ok' })
  t.ok(upgraded.sqlite.prepare(`select 1 from sqlite_master where name = 'outbox_official_idx'`).get(), 'the indexes are back on the rebuilt table')
  t.ok(upgraded.sqlite.prepare(`select 1 from sqlite_master where name = 'outbox_due_idx'`).get())
  t.equal((upgraded.sqlite.pragma('foreign_key_check') as unknown[]).length, 0)
})

t.test('0001 (issue 11) carries links already mailed over to letter_confirmations', async (t) => {
  const dir = tempDir(t)
  const file = path.join(dir, 'outcry.db')
  const old = new Database(file)
  migrate(drizzle(old), { migrationsFolder: migrationsUpTo(dir, 1) })
  old.exec(`
    insert into campaigns (id, slug, title, goal, status, languages, created_at, updated_at) values (1, 'c', 'C', 10, 'live', '["en"]', 0, 0);
    insert into targets (id, campaign_id, name, country, email, language, created_at, updated_at) values (1, 1, 'T', 'KZ', 't@example.org', 'en', 0, 0);
    insert into letters (public_id, campaign_id, target_id, language, country, subject, body, status, email_normalized, confirm_token_hash, confirm_expires_at, created_at) values
      ('a', 1, 1, 'en', 'GB', 's', 'b', 'pending_confirmation', 'x@example.org', 'hash-a', 999, 5),
      ('b', 1, 1, 'en', 'GB', 's', 'b', 'queued', 'y@example.org', null, null, 6);
  `)
  old.close()
  const upgraded = openDatabase(file)
  t.teardown(() => upgraded.close())
  t.same(upgraded.sqlite.prepare('select campaign_id, email_normalized, token_hash, expires_at from letter_confirmations').all(), [{ campaign_id: 1, email_normalized: 'x@example.org', token_hash: 'hash-a', expires_at: 999 }])
})

t.test('0003 (issue 13) gives every campaign text an empty set of translations and keeps the rows', async (t) => {
  const dir = tempDir(t)
  const file = path.join(dir, 'outcry.db')
  const old = new Database(file)
  old.pragma('foreign_keys = ON')
  migrate(drizzle(old), { migrationsFolder: migrationsUpTo(dir, 3) })
  old.exec(`
    insert into campaigns (id, slug, title, goal, status, languages, created_at, updated_at) values (1, 'c', 'C', 10, 'live', '["en","ru"]', 0, 0);
    insert into campaign_people (id, campaign_id, name, status) values (1, 1, 'Roza', 'jailed');
    insert into targets (id, campaign_id, name, country, email, language, created_at, updated_at) values (1, 1, 'T', 'KZ', 't@example.org', 'ru', 0, 0);
    insert into pickets (id, campaign_id, title, venue, address, city, country, time_zone, starts_at, ends_at, reminders, created_at, updated_at) values (1, 1, 'P', 'V', 'A', 'London', 'GB', 'Europe/London', 0, 1, '[]', 0, 0);
    insert into rsvps (id, picket_id, token, status, created_at) values (1, 1, 'tok', 'going', 0);
    insert into letters (id, public_id, campaign_id, target_id, language, country, subject, body, status, created_at) values (1, 'a', 1, 1, 'ru', 'GB', 's', 'b', 'sent', 0);
  `)
  old.close()
  const upgraded = openDatabase(file)
  t.teardown(() => upgraded.close())
  const one = (sql: string) => upgraded.sqlite.prepare(sql).get()
  t.same(one('select title, translations from campaigns'), { title: 'C', translations: '{}' })
  t.same(one('select name, translations from campaign_people'), { name: 'Roza', translations: '{}' })
  t.same(one('select name, salutation, translations from targets'), { name: 'T', salutation: '', translations: '{}' }, 'no salutation: letters greet with the language\'s own')
  t.same(one('select title, translations from pickets'), { title: 'P', translations: '{}' })
  t.same(one('select language from rsvps'), { language: null }, 'an RSVP from before: English mail, as it always got')
  t.same(one('select language, supporter_language from letters'), { language: 'ru', supporter_language: null }, 'a letter from before: mail to its writer in the letter\'s language')
  t.equal((upgraded.sqlite.pragma('foreign_key_check') as unknown[]).length, 0)
})
