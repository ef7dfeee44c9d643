import fp from 'fastify-plugin'
import { sql } from 'drizzle-orm'
import { openDatabase, type Db } from './client.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
    /** True when the database answers a trivial query. */
    dbHealthy(): boolean
  }
}

export default fp(
  async (app, opts: { path: string }) => {
    const database = openDatabase(opts.path)
    app.decorate('db', database.db)
    app.decorate('dbHealthy', () => {
      try {
        database.db.get(sql`select 1`)
        return true
      } catch {
        return false
      }
    })
    app.addHook('onClose', async () => database.close())
  },
  { name: 'db' },
)
