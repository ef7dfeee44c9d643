// npm run restore -- <file>
// Puts a backup (npm run backup) in place of the database at DATABASE_PATH. Stop the server first: the
// database must not be open anywhere, and restore refuses while it is (it asks SQLite for the file to
// itself, which fails while any other program has it open). Before anything changes, the backup is
// checked (an Outcry database, integrity_check, and a migrations journal this version knows: a backup
// made by a newer Outcry is refused). The current database is kept as <db>.before-restore-<time>,
// stale -wal and -shm files are removed, and the backup is copied in under a temporary name and renamed.
// Migrations the backup lacks run when the server starts. Exit codes: 0 done; 1 refused (the database
// is in use, or the backup is from a newer Outcry or damaged: nothing changed); 2 cannot (no file given,
// a file that is missing or not an Outcry database, a folder that is not writable).
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import {
  CliError,
  contentsOf,
  databasePath,
  describeContents,
  formatSize,
  fsyncPath,
  migrationsFolder,
  openOutcryFile,
  removeWithCompanions,
  runCli,
  type Contents,
} from './backup.js'

/** The migrations a database has had, against the ones this version of Outcry ships. */
export function compareMigrations(db: Database.Database): { unknown: number; pending: number } {
  const ours = new Map(readMigrationFiles({ migrationsFolder }).map((m) => [Number(m.folderMillis), m.hash]))
  const theirs = db.prepare('select hash, created_at as createdAt from __drizzle_migrations').all() as { hash: string; createdAt: number }[]
  // A migration of ours is known by its time and its SQL's hash (as drizzle records it).
  const unknown = theirs.filter((m) => ours.get(Number(m.createdAt)) !== m.hash).length
  const latest = Math.max(0, ...theirs.map((m) => Number(m.createdAt)))
  const pending = [...ours.keys()].filter((when) => when > latest).length
  return { unknown, pending }
}

/** A compact UTC time for file names: 20261201T100000Z. */
export const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')

export interface RestoreResult {
  database: string
  kept?: string
  contents: Contents
  pending: number
  bytes: number
}

/** Restores `backupFile` into `database`; see the top of this file. */
export function restore(backupFile: string, database: string, now = new Date()): RestoreResult {
  const source = path.resolve(backupFile)
  if (source === database) throw new CliError(`${backupFile} is the database itself: give a backup file.`, 2)

  // 1. The backup: an Outcry database, sound, and not from a newer version.
  const backup = openOutcryFile(source, 'The backup')
  let contents: Contents
  let pending: number
  try {
    contents = contentsOf(backup, 'The backup')
    if (contents.integrity !== 'ok') throw new CliError(`The backup ${backupFile} is damaged (integrity check: ${contents.integrity}); nothing was changed. Try an older backup.`, 1)
    const migrations = compareMigrations(backup)
    if (migrations.unknown) {
      throw new CliError(
        `The backup ${backupFile} has ${migrations.unknown} database migration${migrations.unknown === 1 ? '' : 's'} this version of Outcry does not know (it was made by a newer or different version): nothing was changed. Upgrade Outcry first, then restore.`,
        1,
      )
    }
    pending = migrations.pending
  } finally {
    backup.close()
  }

  // 2. Nobody has the current database open: switching it out of WAL mode needs it to ourselves (and
  //    writes the WAL into the file, so the kept copy is whole in one file).
  const folder = path.dirname(database)
  if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) throw new CliError(`The database's folder ${folder} does not exist (DATABASE_PATH=${database}).`, 2)
  const current = fs.existsSync(database)
  if (current) {
    let db: Database.Database
    try {
      db = new Database(database, { fileMustExist: true })
    } catch (err) {
      throw new CliError(`The current database ${database} cannot be opened: ${(err as Error).message}.`, 2)
    }
    try {
      db.pragma('busy_timeout = 0')
      db.pragma('journal_mode = DELETE')
    } catch (err) {
      const code = (err as { code?: string }).code
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') throw new CliError(`The database ${database} is open in another program: stop the Outcry server (and npm run dispatch) first, then restore. Nothing was changed.`, 1)
      // Not a database we can switch (damaged, say): it is kept as it is all the same.
      if (code !== 'SQLITE_NOTADB' && code !== 'SQLITE_CORRUPT') throw new CliError(`The current database ${database} cannot be prepared: ${(err as Error).message}. Nothing was changed.`, 2)
    } finally {
      db.close()
    }
  }

  // 3. The backup goes in beside the database under a temporary name, then takes its place.
  const temp = path.join(folder, `.${path.basename(database)}.restore-${process.pid}.tmp`)
  let kept: string | undefined
  try {
    fs.copyFileSync(source, temp, fs.constants.COPYFILE_EXCL)
    fs.chmodSync(temp, 0o600)
    fsyncPath(temp)
  } catch (err) {
    removeWithCompanions(temp)
    const e = err as NodeJS.ErrnoException
    throw new CliError(`Cannot write into ${folder}: ${e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : e.code === 'ENOSPC' ? 'the disk is full' : e.message}. Nothing was changed.`, 2)
  }
  try {
    if (current) {
      kept = `${database}.before-restore-${stamp(now)}`
      fs.renameSync(database, kept)
    }
    // A -wal or -shm left beside the database would be read as part of the restored file.
    for (const suffix of ['-wal', '-shm', '-journal']) {
      if (!fs.existsSync(`${database}${suffix}`)) continue
      if (kept) fs.renameSync(`${database}${suffix}`, `${kept}${suffix}`)
      else fs.rmSync(`${database}${suffix}`)
    }
    fs.renameSync(temp, database)
    fsyncPath(folder)
  } catch (err) {
    removeWithCompanions(temp)
    throw new CliError(`Restoring into ${database} failed: ${(err as Error).message}.${kept && !fs.existsSync(database) ? ` The previous database is at ${kept}: rename it back.` : ''}`, 2)
  }
  return { database, kept, contents, pending, bytes: fs.statSync(database).size }
}

async function main(): Promise<void> {
  const usage = 'Usage: npm run restore -- <backup file>   (stop the server first)'
  let args: { positionals: string[] }
  try {
    args = parseArgs({ options: {}, allowPositionals: true })
  } catch (err) {
    throw new CliError(`${err instanceof Error ? err.message : String(err)}. ${usage}`, 2)
  }
  if (args.positionals.length !== 1) throw new CliError(`Give one backup file to restore. ${usage}`, 2)
  const result = restore(args.positionals[0]!, databasePath())
  console.log(
    `Restored ${args.positionals[0]} (${formatSize(result.bytes)}, ${describeContents(result.contents)}) into ${result.database}.` +
      (result.kept ? ` The previous database is kept as ${result.kept}.` : '') +
      (result.pending ? ` ${result.pending} migration${result.pending === 1 ? '' : 's'} will run when the server starts.` : '') +
      ' Start the server now.',
  )
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) runCli(main)
