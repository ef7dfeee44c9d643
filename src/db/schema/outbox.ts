import { sqliteTable, integer, text, index, primaryKey } from 'drizzle-orm/sqlite-core'
import { sql, type InferSelectModel } from 'drizzle-orm'
import { timestamp } from './columns.js'

export const outboxStatuses = ['queued', 'sending', 'sent', 'failed', 'expired'] as const
export type OutboxStatus = (typeof outboxStatuses)[number]

/** A fully rendered message, stored so a retry sends exactly the same mail. */
export interface OutboxMessage {
  from: { name: string; address: string }
  to: { name?: string; address: string }
  replyTo?: { name?: string; address: string }
  subject: string
  text: string
  html: string
  messageId: string
  headers?: Record<string, string>
  attachments?: { filename: string; content: string; contentType: string; encoding?: 'base64' }[]
}

/** The one road to SMTP: written in the transaction of the change that causes the mail. */
export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind').notNull(),
    // Set when the mail is the letter itself, so delivery can mark the letter sent.
    letterId: integer('letter_id'),
    // What the mail is about (e.g. "picket:12:reminder"), so a change can withdraw mail not yet sent.
    topic: text('topic'),
    // A digest mail: composed from its digest row when sent.
    digestId: integer('digest_id'),
    recipient: text('recipient').notNull(),
    // Null for mail composed when it is sent (a letter from its row, a digest): the row stays small.
    message: text('message', { mode: 'json' }).$type<OutboxMessage>(),
    status: text('status', { enum: outboxStatuses }).notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at').notNull(),
    // A claim is a lease: if the process dies mid-send, the row is claimable again after it.
    lockedUntil: timestamp('locked_until'),
    lastError: text('last_error'),
    // Mail that is pointless after this instant (a reminder once the picket has started) is dropped, not sent.
    notAfter: timestamp('not_after'),
    createdAt: timestamp('created_at').notNull(),
    sentAt: timestamp('sent_at'),
  },
  (t) => [index('outbox_due_idx').on(t.status, t.nextAttemptAt), index('outbox_letter_idx').on(t.letterId), index('outbox_topic_idx').on(t.topic, t.status).where(sql`${t.topic} is not null`),
    // Pacing mail to an official reads what went to that address lately; partial: only mail to officials.
    index('outbox_official_idx').on(t.recipient, t.createdAt).where(sql`${t.kind} in ('letter', 'digest')`),
  ],
)

/** Mail kept locally when no SMTP server is configured, for the development mailbox. */
export const capturedMail = sqliteTable('captured_mail', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  outboxId: integer('outbox_id'),
  recipient: text('recipient').notNull(),
  subject: text('subject').notNull(),
  raw: text('raw').notNull(),
  createdAt: timestamp('created_at').notNull(),
})

export type OutboxRow = InferSelectModel<typeof outbox>
export type CapturedMail = InferSelectModel<typeof capturedMail>

/**
 * How many mails anonymous actions (confirmations, "already written", RSVP notices) caused to one
 * address on one UTC day: past the cap, such requests look accepted and send nothing. Keyed by a keyed
 * hash of the normalised address, never the address itself.
 */
export const mailQuota = sqliteTable(
  'mail_quota',
  {
    addressKey: text('address_key').notNull(),
    day: text('day').notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.addressKey, t.day] })],
)

/**
 * Supporters' addresses that bounced for good: no more campaign mail goes to them. Keyed by a keyed
 * hash of the normalised address, like the anonymous-mail cap.
 */
export const bouncedAddresses = sqliteTable('bounced_addresses', {
  addressKey: text('address_key').primaryKey(),
  reason: text('reason').notNull(),
  createdAt: timestamp('created_at').notNull(),
})
