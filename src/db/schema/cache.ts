import { sqliteTable, integer } from 'drizzle-orm/sqlite-core'

/**
 * One row whose `n` grows on every change to what a letter is written from (campaigns but their tally,
 * officials but theirs, letter templates), bumped by triggers (migration 0007) whichever process or
 * connection makes the change. Hot paths keep those rows in memory and read only this number.
 */
export const contentGeneration = sqliteTable('content_generation', {
  id: integer('id').primaryKey(),
  n: integer('n').notNull().default(0),
})
