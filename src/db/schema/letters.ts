import { sqliteTable, integer, text, uniqueIndex, index } from 'drizzle-orm/sqlite-core'
import { sql, type InferSelectModel } from 'drizzle-orm'
import { timestamp } from './columns.js'
import { campaigns } from './campaigns.js'
import { targets } from './targets.js'

// queued: counted, waiting for its official's delivery (paced mail, a digest, or hand delivery);
// outgoing: its mail is in the outbox; sent: delivered by mail, digest or hand (deliveredVia);
// withdrawn: its writer's data was erased before delivery (it still counts).
export const letterStatuses = ['pending_confirmation', 'queued', 'outgoing', 'sent', 'withdrawn'] as const
// How a sent letter reached its official.
export const deliveryRoutes = ['mail', 'digest', 'hand'] as const
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
    // The letter's language (its template's).
    language: text('language').notNull(),
    // The language of the page the supporter wrote from: mail to them (copy, confirmation) is in it.
    // Null for letters before it was kept, and offline letters: the letter's language.
    supporterLanguage: text('supporter_language'),
    supporterName: text('supporter_name'),
    supporterEmail: text('supporter_email'),
    // Lower-cased and trimmed: the key of "one letter per supporter per official".
    emailNormalized: text('email_normalized'),
    country: text('country').notNull(),
    city: text('city'),
    organisation: text('organisation'),
    note: text('note'),
    wantsCopy: integer('wants_copy', { mode: 'boolean' }).notNull().default(false),
    // The supporter asked to let the official reply to them directly (their address goes in Reply-To).
    replyDirect: integer('reply_direct', { mode: 'boolean' }).notNull().default(false),
    consent: integer('consent', { mode: 'boolean' }).notNull().default(false),
    // The letter as sent: later template edits never change it.
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    status: text('status', { enum: letterStatuses }).notNull(),
    createdAt: timestamp('created_at').notNull(),
    countedAt: timestamp('counted_at'),
    sentAt: timestamp('sent_at'),
    deliveredVia: text('delivered_via', { enum: deliveryRoutes }),
    digestId: integer('digest_id'),
  },
  (t) => [
    uniqueIndex('letters_public_id_unique').on(t.publicId),
    uniqueIndex('letters_one_per_supporter_unique').on(t.campaignId, t.targetId, t.emailNormalized),
    // Partial: only pending letters are looked up by supporter, when a confirmation link is used.
    index('letters_pending_idx').on(t.campaignId, t.emailNormalized).where(sql`${t.status} = 'pending_confirmation'`),
    index('letters_campaign_created_idx').on(t.campaignId, t.createdAt),
    // Partial: the letters still waiting for their official, in the order they go.
    index('letters_waiting_idx').on(t.targetId, t.id).where(sql`${t.status} = 'queued'`),
  ],
)

export type Letter = InferSelectModel<typeof letters>

/**
 * A confirmation link sent to a supporter's mailbox. It confirms every letter still pending from that
 * address in that campaign, so one mail covers a supporter who wrote to several officials; several links
 * may be valid at once (only their hashes are kept).
 */
export const letterConfirmations = sqliteTable(
  'letter_confirmations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    emailNormalized: text('email_normalized').notNull(),
    tokenHash: text('token_hash').notNull(),
    expiresAt: timestamp('expires_at').notNull(),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [uniqueIndex('letter_confirmations_token_unique').on(t.tokenHash), index('letter_confirmations_expires_idx').on(t.expiresAt)],
)

export type LetterConfirmation = InferSelectModel<typeof letterConfirmations>

/** One digest mail to an official: the letters of a period, counted, summarised and attached. */
export const digests = sqliteTable(
  'digests',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    targetId: integer('target_id')
      .notNull()
      .references(() => targets.id, { onDelete: 'cascade' }),
    periodStart: timestamp('period_start').notNull(),
    periodEnd: timestamp('period_end').notNull(),
    letterCount: integer('letter_count').notNull(),
    createdAt: timestamp('created_at').notNull(),
    sentAt: timestamp('sent_at'),
  },
  (t) => [index('digests_target_idx').on(t.targetId, t.periodEnd)],
)

export type Digest = InferSelectModel<typeof digests>
