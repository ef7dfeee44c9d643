import { eq, lt } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { sessions } from '../db/schema/index.js'

type Callback<T = void> = (err?: Error | null, value?: T) => void
type SessionData = { cookie?: { expires?: string | Date | null }; [key: string]: unknown }

const DAY = 86_400_000

/** @fastify/session store on our own database, so a restart does not log everyone out. */
export class SqliteSessionStore {
  constructor(
    private db: Db,
    private now: () => Date,
    private ttlMs = DAY,
  ) {}

  set(sid: string, session: SessionData, callback: Callback): void {
    try {
      // Our clock, not the cookie's: a session lives ttl from its last save (sign-in), whatever the browser keeps.
      const expires = new Date(this.now().getTime() + this.ttlMs)
      const data = JSON.parse(JSON.stringify(session)) as Record<string, unknown>
      this.db.insert(sessions).values({ sid, data, expiresAt: expires }).onConflictDoUpdate({ target: sessions.sid, set: { data, expiresAt: expires } }).run()
      callback()
    } catch (err) {
      callback(err as Error)
    }
  }

  get(sid: string, callback: Callback<SessionData | null>): void {
    try {
      const row = this.db.select().from(sessions).where(eq(sessions.sid, sid)).get()
      if (!row || row.expiresAt <= this.now()) return callback(null, null)
      callback(null, row.data as SessionData)
    } catch (err) {
      callback(err as Error)
    }
  }

  destroy(sid: string, callback: Callback): void {
    try {
      this.db.delete(sessions).where(eq(sessions.sid, sid)).run()
      callback()
    } catch (err) {
      callback(err as Error)
    }
  }

  prune(): number {
    return this.db.delete(sessions).where(lt(sessions.expiresAt, this.now())).run().changes
  }
}
