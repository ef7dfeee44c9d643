import { sqliteTable, integer, text, blob, index, uniqueIndex } from 'drizzle-orm/sqlite-core'
import type { InferSelectModel } from 'drizzle-orm'
import { timestamp, timestamps, translations } from './columns.js'
import { campaigns, campaignPeople } from './campaigns.js'

/** An update's title and body (Markdown), per language. */
export const updateTexts = ['title', 'body'] as const
export type UpdateText = (typeof updateTexts)[number]
export const updateStatuses = ['draft', 'published'] as const
export type UpdateStatus = (typeof updateStatuses)[number]
// none: not mailed; sending: its recipients are being mailed, paced; done: every one queued.
export const updateMailStates = ['none', 'sending', 'done'] as const

/** News an organizer posts to a campaign: a draft, then published (and, if they ask, mailed to supporters who consented). */
export const updates = sqliteTable(
  'updates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    // The language it was written in (its own columns); translations hold the others.
    language: text('language').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    translations: translations<UpdateText>(),
    status: text('status', { enum: updateStatuses }).notNull().default('draft'),
    publishedAt: timestamp('published_at'),
    mailState: text('mail_state', { enum: updateMailStates }).notNull().default('none'),
    // How many addresses it was to reach when mailing began (the organizer saw this figure).
    recipients: integer('recipients').notNull().default(0),
    mailStartedAt: timestamp('mail_started_at'),
    mailDoneAt: timestamp('mail_done_at'),
    createdBy: integer('created_by'),
    ...timestamps,
  },
  (t) => [index('updates_campaign_published_idx').on(t.campaignId, t.status, t.publishedAt)],
)

/**
 * A dated change of a person's status ("released", 2013-05-14), usually recorded by an update: the
 * person's timeline. Their current status follows the latest. `status` is in `language`; translations
 * hold the others.
 */
export const personStatusChanges = sqliteTable(
  'person_status_changes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    personId: integer('person_id')
      .notNull()
      .references(() => campaignPeople.id, { onDelete: 'cascade' }),
    updateId: integer('update_id').references(() => updates.id, { onDelete: 'set null' }),
    language: text('language').notNull(),
    status: text('status').notNull(),
    translations: translations<'status'>(),
    // The calendar day it happened (YYYY-MM-DD), not when it was recorded.
    happenedOn: text('happened_on').notNull(),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [index('person_status_changes_person_idx').on(t.personId, t.happenedOn)],
)

// waiting: to be mailed when the pace allows; queued: its mail is in the outbox; skipped: unsubscribed
// or erased before its turn.
export const updateRecipientStates = ['waiting', 'queued', 'skipped'] as const

/**
 * One row per (update, address): the fan-out's list, made once when mailing begins. The unique key is
 * what makes "no one mailed twice" true across crashes; `token` is the recipient's unsubscribe link.
 */
export const updateRecipients = sqliteTable(
  'update_recipients',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    updateId: integer('update_id')
      .notNull()
      .references(() => updates.id, { onDelete: 'cascade' }),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    emailNormalized: text('email_normalized').notNull(),
    email: text('email'),
    name: text('name'),
    // The language they used (their latest letter's or RSVP's page), for the mail.
    language: text('language'),
    token: text('token').notNull(),
    state: text('state', { enum: updateRecipientStates }).notNull().default('waiting'),
    queuedAt: timestamp('queued_at'),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('update_recipients_once_unique').on(t.updateId, t.emailNormalized),
    uniqueIndex('update_recipients_token_unique').on(t.token),
    index('update_recipients_waiting_idx').on(t.updateId, t.state, t.id),
    // Erasure finds a supporter's rows by address.
    index('update_recipients_email_idx').on(t.emailNormalized),
  ],
)

/** An address that asked for no more optional mail (updates) from a campaign: one click, RFC 8058. */
export const unsubscribes = sqliteTable(
  'unsubscribes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    emailNormalized: text('email_normalized').notNull(),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [uniqueIndex('unsubscribes_campaign_email_unique').on(t.campaignId, t.emailNormalized)],
)

/** The day an address last got an update mail from a campaign: at most one a day. */
export const updateMailDays = sqliteTable(
  'update_mail_days',
  {
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    emailNormalized: text('email_normalized').notNull(),
    // YYYY-MM-DD in UTC.
    day: text('day').notNull(),
  },
  (t) => [uniqueIndex('update_mail_days_unique').on(t.campaignId, t.emailNormalized, t.day)],
)

/** A person's photo, uploaded in the back office: resized, re-encoded and stripped of metadata before it is stored. */
export const personPhotos = sqliteTable('person_photos', {
  personId: integer('person_id')
    .primaryKey()
    .references(() => campaignPeople.id, { onDelete: 'cascade' }),
  contentType: text('content_type').notNull(),
  bytes: blob('bytes', { mode: 'buffer' }).notNull(),
  width: integer('width').notNull(),
  height: integer('height').notNull(),
  // Describes the photo for screen readers, in the campaign's first language.
  alt: text('alt').notNull().default(''),
  updatedAt: timestamp('updated_at').notNull(),
})

export type Update = InferSelectModel<typeof updates>
export type PersonStatusChange = InferSelectModel<typeof personStatusChanges>
export type UpdateRecipient = InferSelectModel<typeof updateRecipients>
export type PersonPhoto = InferSelectModel<typeof personPhotos>
