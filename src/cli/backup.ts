// npm run backup -- <file> [--force]
// A consistent copy of the live database, safe while the server writes: SQLite's online backup
// (better-sqlite3's db.backup) copies every page in one step, inside one read transaction, so the copy
// is the database as it stood at one moment (WAL lets the server go on writing meanwhile). The copy is
// written under a temporary name beside <file>, checked (integrity_check, the tallies against the
// letters), made private (mode 600: it holds supporters' data) and only then renamed to <file>.
// DATABASE_PATH comes from the same environment as the server's. Exit codes: 0 done; 1 refused
// (<file> exists and --force was not given, the database or the copy is damaged: nothing is written);
// 2 cannot (no file given, no database or not an Outcry one, a folder that is missing or not writable).
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import { loadConfig, ConfigError } from '../config.js'

/** A failure with its exit code and one line for the operator. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: 1 | 2,
  ) {
    super(message)
  }
}

export const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url))

/** The database file the server uses (DATABASE_PATH), from the server's own configuration. */
export function databasePath(env: Record<string, string | undefined> = process.env): string {
  try {
    return path.resolve(loadConfig(env).databasePath)
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(`${err.message.replace(/\n\s*/g, ' ')} (the backup reads the server's settings)`, 2)
    throw err
  }
}

const why = (err: unknown) => {
  const e = err as NodeJS.ErrnoException
  if (e.code === 'ENOENT') return 'no such file or folder'
  if (e.code === 'EACCES' || e.code === 'EPERM') return 'permission denied'
  if (e.code === 'EROFS') return 'read-only file system'
  if (e.code === 'ENOSPC' || e.code === 'SQLITE_FULL') return 'the disk is full'
  if (e.code === 'EISDIR') return 'it is a folder'
  return e.message ?? String(err)
}

/**
 * Opens an existing SQLite file and makes sure it is an Outcry database (its tables and drizzle's
 * migrations journal); `what` names it in messages ("The database", "The backup").
 */
export function openOutcryFile(file: string, what: string): Database.Database {
  let stat: fs.Stats
  try {
    stat = fs.statSync(file)
  } catch (err) {
    throw new CliError(`${what} ${file} cannot be read: ${why(err)}.`, 2)
  }
  if (!stat.isFile()) throw new CliError(`${what} ${file} is not a file.`, 2)
  let db: Database.Database
  try {
    db = new Database(file, { fileMustExist: true })
  } catch (err) {
    throw new CliError(`${what} ${file} cannot be opened: ${why(err)}.`, 2)
  }
  try {
    db.pragma('busy_timeout = 5000')
    const tables = new Set((db.prepare(`select name from sqlite_master where type = 'table'`).all() as { name: string }[]).map((r) => r.name))
    const missing = ['campaigns', 'letters', '__drizzle_migrations'].filter((name) => !tables.has(name))
    if (missing.length) throw new CliError(`${what} ${file} is an SQLite file but not an Outcry database (no ${missing.join(', ')} table).`, 2)
    return db
  } catch (err) {
    db.close()
    if (err instanceof CliError) throw err
    const code = (err as { code?: string }).code
    if (code === 'SQLITE_NOTADB') throw new CliError(`${what} ${file} is not an SQLite database.`, 2)
    if (code === 'SQLITE_CORRUPT') throw new CliError(`${what} ${file} is damaged (SQLite: ${(err as Error).message}).`, 1)
    throw new CliError(`${what} ${file} cannot be read: ${why(err)}.`, 2)
  }
}

export interface Contents {
  integrity: string
  campaigns: number
  letters: number
  /** Campaigns whose stored tally differs from their letters that count. */
  tallyMismatches: { slug: string; tally: number; rows: number }[]
}

/** What a database holds, and whether SQLite finds it sound; a file too damaged to tell is refused (exit 1). */
export function contentsOf(db: Database.Database, what: string): Contents {
  try {
    return readContents(db)
  } catch (err) {
    const code = (err as { code?: string }).code ?? ''
    if (/^SQLITE_(CORRUPT|NOTADB)/.test(code)) throw new CliError(`${what} ${db.name} is damaged (SQLite: ${(err as Error).message}).`, 1)
    throw err
  }
}

function readContents(db: Database.Database): Contents {
  const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ')
  const count = (table: string) => (db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n
  const tallyMismatches = db
    .prepare(
      `select c.slug, c.letters_count as tally,
              (select count(*) from letters l where l.campaign_id = c.id and l.status <> 'pending_confirmation') as rows
         from campaigns c`,
    )
    .all()
    .filter((r) => (r as { tally: number; rows: number }).tally !== (r as { rows: number }).rows) as Contents['tallyMismatches']
  return { integrity, campaigns: count('campaigns'), letters: count('letters'), tallyMismatches }
}

export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`
  if (bytes < 1_000_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`
  return `${(bytes / 1_000_000_000).toFixed(2)} GB`
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`

/** Writes a file's data (or a folder's entries) to the disk before going on. */
export function fsyncPath(file: string): void {
  let fd: number | undefined
  try {
    fd = fs.openSync(file, 'r')
    fs.fsyncSync(fd)
  } catch {
    // Some file systems refuse to sync a folder: the rename is still atomic there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}

/** Removes a file and SQLite's companions of it, if there. */
export function removeWithCompanions(file: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true })
}

export interface BackupResult {
  destination: string
  bytes: number
  ms: number
  contents: Contents
}

/** Copies the live database at `source` to `destination`; see the top of this file. */
export async function backup(source: string, destination: string, opts: { force?: boolean } = {}): Promise<BackupResult> {
  const started = process.hrtime.bigint()
  const dest = path.resolve(destination)
  if (dest === path.resolve(source)) throw new CliError(`${destination} is the database itself: give another file for the copy.`, 2)
  const folder = path.dirname(dest)
  let folderStat: fs.Stats
  try {
    folderStat = fs.statSync(folder)
  } catch (err) {
    throw new CliError(`Cannot write the copy into ${folder}: ${why(err)}.`, 2)
  }
  if (!folderStat.isDirectory()) throw new CliError(`Cannot write the copy into ${folder}: not a folder.`, 2)
  const existing = fs.statSync(dest, { throwIfNoEntry: false })
  if (existing?.isDirectory()) throw new CliError(`${destination} is a folder: give a file name such as ${path.join(destination, 'outcry.db')}.`, 2)
  if (existing && !opts.force) throw new CliError(`${destination} exists already: not overwritten (add --force to replace it).`, 1)

  const db = openOutcryFile(source, 'The database')
  // A name of our own beside the destination, so the final rename stays on one file system.
  const temp = path.join(folder, `.${path.basename(dest)}.${process.pid}.tmp`)
  try {
    try {
      fs.closeSync(fs.openSync(temp, 'wx', 0o600))
      fs.rmSync(temp)
    } catch (err) {
      throw new CliError(`Cannot write the copy into ${folder}: ${why(err)}.`, 2)
    }
    try {
      // The first step copies nothing; then one step of every page: one read transaction, so one
      // moment of the database. Small steps would restart whenever the server wrote in between.
      await db.backup(temp, { progress: () => 0x7fffffff })
    } catch (err) {
      throw new CliError(`The copy to ${temp} failed: ${why(err)}.`, 2)
    }
  } catch (err) {
    db.close()
    removeWithCompanions(temp)
    throw err
  }
  db.close()

  let contents: Contents
  try {
    const copy = new Database(temp, { fileMustExist: true })
    try {
      // One self-contained file: no -wal beside it to forget when it is moved.
      copy.pragma('journal_mode = DELETE')
      contents = contentsOf(copy, 'The copy')
    } finally {
      copy.close()
    }
    if (contents.integrity !== 'ok') throw new CliError(`The copy failed SQLite's integrity check (${contents.integrity}); nothing was written. Check the database with sqlite3 and the disk.`, 1)
    fs.chmodSync(temp, 0o600)
    fsyncPath(temp)
    fs.renameSync(temp, dest)
    fsyncPath(folder)
  } catch (err) {
    removeWithCompanions(temp)
    if (err instanceof CliError) throw err
    throw new CliError(`The copy in ${temp} could not be checked or moved to ${destination}: ${why(err)}.`, 2)
  }
  const bytes = fs.statSync(dest).size
  return { destination: dest, bytes, ms: Number(process.hrtime.bigint() - started) / 1e6, contents }
}

export const describeContents = (c: Contents) => `${plural(c.campaigns, 'campaign', 'campaigns')}, ${plural(c.letters, 'letter', 'letters')}`

async function main(): Promise<void> {
  const usage = 'Usage: npm run backup -- <file> [--force]'
  let args: { values: { force?: boolean }; positionals: string[] }
  try {
    args = parseArgs({ options: { force: { type: 'boolean' } }, allowPositionals: true })
  } catch (err) {
    throw new CliError(`${err instanceof Error ? err.message : String(err)}. ${usage}`, 2)
  }
  if (args.positionals.length !== 1) throw new CliError(`Give one file to write the copy to. ${usage}`, 2)
  const source = databasePath()
  const result = await backup(source, args.positionals[0]!, { force: args.values.force })
  const { contents } = result
  console.log(
    `Backed up ${source} to ${result.destination}: ${formatSize(result.bytes)}, ${describeContents(contents)}, integrity ok, in ${(result.ms / 1000).toFixed(2)} s.`,
  )
  for (const m of contents.tallyMismatches) {
    console.error(`Warning: the campaign ${m.slug} counts ${m.tally} letters but holds ${m.rows} that count (the live database is so too; the copy is faithful).`)
  }
}

/** Runs a command's main: a CliError is its message and exit code, never a stack trace. */
export function runCli(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    if (err instanceof CliError) {
      fs.writeSync(2, `${err.message}\n`)
      process.exit(err.code)
    }
    fs.writeSync(2, `Unexpected error: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(2)
  })
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) runCli(main)
