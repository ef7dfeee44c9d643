import { sqliteTable, integer, text, index, uniqueIndex } from 'drizzle-orm/sqlite-core'
import type { InferSelectModel } from 'drizzle-orm'
import { timestamp, timestamps, translations } from './columns.js'
import { campaigns } from './campaigns.js'

/** A picket's title and what to bring, per language. */
export const picketTexts = ['title', 'bring'] as const
export type PicketText = (typeof picketTexts)[number]

export const picketStatuses = ['scheduled', 'cancelled'] as const
// pending_confirmation: takes no place and counts nowhere until confirmed from the mailbox.
export const rsvpStatuses = ['pending_confirmation', 'going', 'waitlisted', 'cancelled'] as const
export type RsvpStatus = (typeof rsvpStatuses)[number]

/** A picket at an embassy: stored in UTC, shown and computed in the venue's own zone. */
export const pickets = sqliteTable(
  'pickets',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    venue: text('venue').notNull(),
    address: text('address').notNull(),
    city: text('city').notNull(),
    country: text('country').notNull(),
    timeZone: text('time_zone').notNull(),
    startsAt: timestamp('starts_at').notNull(),
    endsAt: timestamp('ends_at').notNull(),
    capacity: integer('capacity'),
    bring: text('bring').notNull().default(''),
    contact: text('contact').notNull().default(''),
    // Minutes before the start, e.g. [1440, 120].
    reminders: text('reminders', { mode: 'json' }).$type<number[]>().notNull(),
    status: text('status', { enum: picketStatuses }).notNull().default('scheduled'),
    // iCalendar SEQUENCE: raised by every change calendar apps must pick up.
    sequence: integer('sequence').notNull().default(0),
    // Kept in step with the RSVPs in the same transaction: places left is a read, and capacity a guarded update.
    goingCount: integer('going_count').notNull().default(0),
    waitlistedCount: integer('waitlisted_count').notNull().default(0),
    // Smallest reminder offset fully scheduled for the current start time; reset by a reschedule.
    remindersDoneThrough: integer('reminders_done_through'),
    cancelledAt: timestamp('cancelled_at'),
    translations: translations<PicketText>(),
    ...timestamps,
  },
  (t) => [index('pickets_campaign_starts_idx').on(t.campaignId, t.startsAt), index('pickets_status_starts_idx').on(t.status, t.startsAt)],
)

export const rsvps = sqliteTable(
  'rsvps',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    picketId: integer('picket_id')
      .notNull()
      .references(() => pickets.id, { onDelete: 'cascade' }),
    // The capability in the RSVP's own links (manage, cancel, stop reminders).
    token: text('token').notNull(),
    name: text('name'),
    email: text('email'),
    emailNormalized: text('email_normalized'),
    consent: integer('consent', { mode: 'boolean' }).notNull().default(false),
    status: text('status', { enum: rsvpStatuses }).notNull(),
    remindersStopped: integer('reminders_stopped', { mode: 'boolean' }).notNull().default(false),
    checkedInAt: timestamp('checked_in_at'),
    createdAt: timestamp('created_at').notNull(),
    // The language of the page they RSVPed from: every mail to them is in it (null: English, RSVPs before it was kept).
    language: text('language'),
    // When the RSVP last joined the waiting list: its place in the queue.
    waitlistedAt: timestamp('waitlisted_at'),
    cancelledAt: timestamp('cancelled_at'),
  },
  (t) => [
    uniqueIndex('rsvps_token_unique').on(t.token),
    uniqueIndex('rsvps_one_per_email_unique').on(t.picketId, t.emailNormalized),
    index('rsvps_picket_status_idx').on(t.picketId, t.status, t.createdAt),
  ],
)

/** One row per (RSVP, reminder, start time): the unique key is what makes "at most once" true. */
export const reminderDeliveries = sqliteTable(
  'reminder_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    rsvpId: integer('rsvp_id')
      .notNull()
      .references(() => rsvps.id, { onDelete: 'cascade' }),
    offsetMinutes: integer('offset_minutes').notNull(),
    startsAt: timestamp('starts_at').notNull(),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [uniqueIndex('reminder_deliveries_once_unique').on(t.rsvpId, t.offsetMinutes, t.startsAt)],
)

export type Picket = InferSelectModel<typeof pickets>
export type Rsvp = InferSelectModel<typeof rsvps>
