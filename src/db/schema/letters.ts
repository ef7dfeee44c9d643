import { sqliteTable, integer, text, uniqueIndex, index } from 'drizzle-orm/sqlite-core'
import { sql, type InferSelectModel } from 'drizzle-orm'
import { timestamp } from './columns.js'
import { campaigns } from './campaigns.js'
import { targets } from './targets.js'

export const letterStatuses = ['pending_confirmation', 'queued', 'sent'] as const
export type LetterStatus = (typeof letterStatuses)[number]

export const letters = sqliteTable(
  'letters',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    // Opaque id shown to the supporter and API clients; never the row id.
    publicId: text('public_id').notNull(),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    targetId: integer('target_id')
      .notNull()
      .references(() => targets.id, { onDelete: 'cascade' }),
    language: text('language').notNull(),
    supporterName: text('supporter_name'),
    supporterEmail: text('supporter_email'),
    // Lower-cased and trimmed: the key of "one letter per supporter per official".
    emailNormalized: text('email_normalized'),
    country: text('country').notNull(),
    city: text('city'),
    organisation: text('organisation'),
    note: text('note'),
    wantsCopy: integer('wants_copy', { mode: 'boolean' }).notNull().default(false),
    consent: integer('consent', { mode: 'boolean' }).notNull().default(false),
    // The letter as sent: later template edits never change it.
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    status: text('status', { enum: letterStatuses }).notNull(),
    confirmTokenHash: text('confirm_token_hash'),
    confirmExpiresAt: timestamp('confirm_expires_at'),
    createdAt: timestamp('created_at').notNull(),
    countedAt: timestamp('counted_at'),
    sentAt: timestamp('sent_at'),
  },
  (t) => [
    uniqueIndex('letters_public_id_unique').on(t.publicId),
    uniqueIndex('letters_one_per_supporter_unique').on(t.campaignId, t.targetId, t.emailNormalized),
    // Partial: most letters never need confirming, and every index page touched costs a WAL write.
    uniqueIndex('letters_confirm_token_unique').on(t.confirmTokenHash).where(sql`${t.confirmTokenHash} is not null`),
    index('letters_campaign_created_idx').on(t.campaignId, t.createdAt),
  ],
)

export type Letter = InferSelectModel<typeof letters>
