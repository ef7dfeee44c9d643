import { integer, text } from 'drizzle-orm/sqlite-core'
import { sql } from 'drizzle-orm'

// Times are stored as UTC milliseconds; drizzle hands them back as Date.
export const timestamp = (name: string) => integer(name, { mode: 'timestamp_ms' })

export const timestamps = {
  createdAt: timestamp('created_at').notNull().$defaultFn(() => new Date()),
  updatedAt: timestamp('updated_at').notNull().$defaultFn(() => new Date()),
}

/**
 * Texts an organizer wrote in other languages than the campaign's first, keyed by language:
 * `{ "ru": { "title": "…" } }`. The row's own columns hold the first language; a text missing here
 * falls back to them (see i18n/content.ts).
 */
export type ContentTranslations<F extends string> = Record<string, Partial<Record<F, string>>>
export const translations = <F extends string>() =>
  text('translations', { mode: 'json' }).$type<ContentTranslations<F>>().notNull().default(sql`'{}'`)
