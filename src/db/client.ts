import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
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

/** Opens (creating if needed) the SQLite file and applies pending migrations. */
export function openDatabase(file: string): Database_ {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
  const sqlite = new Database(file)
  // WAL lets readers run beside the writer; NORMAL sync is durable across process crashes.
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('foreign_keys = ON')
  const db = drizzle(sqlite, { schema })
  migrate(db, { migrationsFolder })
  return {
    db,
    sqlite,
    close: () => {
      if (sqlite.open) sqlite.close()
    },
  }
}
