import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { sql } from 'drizzle-orm'
import * as schema from './schema/index.js'

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database }
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]
/** Either the database or an open transaction: query modules accept both. */
export type DbOrTx = Db | Tx

const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url))

export interface Database_ {
  db: Db
  sqlite: Database.Database
  close(): void
}

/** The database cannot be opened or migrated: the operator has to fix the file, its folder or the disk. */
export class DatabaseOpenError extends Error {}

const STORAGE_ADVICE: [RegExp, string][] = [
  [/^(SQLITE_(CANTOPEN|READONLY|PERM|AUTH)|EACCES|EROFS|ENOENT|ENOTDIR|EPERM)/, 'Check that the file and its folder exist and are writable by this user, and that the disk is not mounted read-only.'],
  [/^(SQLITE_FULL|SQLITE_IOERR|ENOSPC|EIO)/, 'Check that the disk has room and is working.'],
  [/^SQLITE_BUSY/, 'Another program holds the database locked: stop it, or point DATABASE_PATH elsewhere.'],
  [/^(SQLITE_NOTADB|SQLITE_CORRUPT)/, 'The file is not an Outcry database, or it is damaged: restore it from a backup, or point DATABASE_PATH elsewhere.'],
]

/** Opens (creating if needed) the SQLite file and applies pending migrations. */
export function openDatabase(file: string): Database_ {
  let sqlite: Database.Database | undefined
  let db: Db
  try {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
    sqlite = new Database(file)
    // WAL lets readers run beside the writer; NORMAL sync is durable across process crashes.
    sqlite.pragma('journal_mode = WAL')
    sqlite.pragma('synchronous = NORMAL')
    sqlite.pragma('busy_timeout = 5000')
    sqlite.pragma('foreign_keys = ON')
    // Deleted and overwritten content is zeroed, not left in free space: an erased supporter must
    // not stay readable in the file (checkpoint() below clears the WAL's older copies).
    sqlite.pragma('secure_delete = ON')
    db = drizzle(sqlite, { schema }) as Db
    migrate(db, { migrationsFolder })
    // A file SQLite could only open read-only (a volume mounted read-only, say) fails here, at
    // start, rather than on the first write: rewriting the header's user_version is a real write.
    const version = Number(sqlite.pragma('user_version', { simple: true }))
    sqlite.pragma(`user_version = ${version}`)
  } catch (err) {
    if (sqlite?.open) sqlite.close()
    const e = err as { code?: string; message?: string }
    // The operator's to fix, and said plainly. Anything else (a failing migration) keeps its stack.
    const advice = STORAGE_ADVICE.find(([codes]) => codes.test(e.code ?? ''))?.[1]
    if (!advice) throw err
    throw new DatabaseOpenError(`Cannot open the database at ${path.resolve(file)}: ${e.message ?? err} (${e.code}).\n${advice}`, { cause: err })
  }
  return {
    db,
    sqlite,
    close: () => {
      if (sqlite.open) sqlite.close()
    },
  }
}

/**
 * Copies the WAL into the database file and empties it (TRUNCATE), so older versions of changed
 * rows (an erased supporter's, say) are no longer on disk. Run outside any transaction; returns false
 * when a reader kept it from finishing.
 */
export function checkpoint(db: Db): boolean {
  const [result] = db.$client.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[]
  return !result || result.busy === 0
}

const preparedCache = new WeakMap<object, Map<string, unknown>>()

/**
 * A statement prepared once per connection and reused, also inside transactions (which run on the
 * same connection). Building a drizzle query costs more than running it on the hot paths.
 */
export function prepared<T>(dbOrTx: DbOrTx, name: string, build: (db: DbOrTx) => T): T {
  // A transaction shares its database's session object: one cache for both.
  const session = (dbOrTx as unknown as { session: object }).session
  let statements = preparedCache.get(session)
  if (!statements) preparedCache.set(session, (statements = new Map()))
  let statement = statements.get(name) as T | undefined
  if (!statement) statements.set(name, (statement = build(dbOrTx)))
  return statement
}

/**
 * A placeholder that bypasses drizzle's column encoders (they cannot take null), for prepared
 * writes; pass the value through `driverValue`.
 */
export const rawPlaceholder = (name: string) => sql`${sql.placeholder(name)}`

/** What SQLite stores for a value: Dates as UTC milliseconds, booleans as 0/1. */
export function driverValue(v: unknown): unknown {
  if (v instanceof Date) return v.getTime()
  if (typeof v === 'boolean') return v ? 1 : 0
  return v ?? null
}
