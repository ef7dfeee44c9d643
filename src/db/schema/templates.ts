import { sqliteTable, integer, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import type { InferSelectModel } from 'drizzle-orm'
import { timestamps } from './columns.js'
import { campaigns } from './campaigns.js'

/** The appeal in one language: Handlebars subject and body, filled in per supporter. */
export const letterTemplates = sqliteTable(
  'letter_templates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    language: text('language').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    ...timestamps,
  },
  (t) => [uniqueIndex('letter_templates_campaign_language_unique').on(t.campaignId, t.language)],
)

export type LetterTemplate = InferSelectModel<typeof letterTemplates>
