import { sqliteTable, integer, text, index, uniqueIndex } from 'drizzle-orm/sqlite-core'
import type { InferSelectModel } from 'drizzle-orm'
import { timestamp, timestamps } from './columns.js'
import { campaigns } from './campaigns.js'

/** An official supporters write to. */
export const targets = sqliteTable(
  'targets',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    title: text('title').notNull().default(''),
    organisation: text('organisation').notNull().default(''),
    country: text('country').notNull(),
    email: text('email').notNull(),
    postalAddress: text('postal_address').notNull().default(''),
    language: text('language').notNull(),
    position: integer('position').notNull().default(0),
    // Per-official part of the tally, raised with the campaign's counter.
    lettersCount: integer('letters_count').notNull().default(0),
    // A new address an organizer asked for, held until an admin approves it; mail keeps going to `email`.
    pendingEmail: text('pending_email'),
    pendingEmailBy: integer('pending_email_by'),
    pendingEmailAt: timestamp('pending_email_at'),
    ...timestamps,
  },
  (t) => [index('targets_campaign_idx').on(t.campaignId), uniqueIndex('targets_campaign_email_unique').on(t.campaignId, t.email)],
)

export type Target = InferSelectModel<typeof targets>
