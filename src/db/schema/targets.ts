import { sqliteTable, integer, text, index, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { sql, type InferSelectModel } from 'drizzle-orm'
import { timestamp, timestamps, translations } from './columns.js'
import { campaigns } from './campaigns.js'

/** An official's name (in each script), title and salutation per language. */
export const targetTexts = ['name', 'title', 'salutation'] as const
export type TargetText = (typeof targetTexts)[number]

export const deliveryModes = ['each', 'digest', 'hand'] as const
export type DeliveryMode = (typeof deliveryModes)[number]
export const digestPeriods = ['day', 'week'] as const
export const deliveryStates = ['ok', 'bouncing'] as const

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
    // How a letter greets them ("Dear Mr President,"); empty: the letter's language's plain greeting with their name.
    salutation: text('salutation').notNull().default(''),
    organisation: text('organisation').notNull().default(''),
    country: text('country').notNull(),
    email: text('email').notNull(),
    postalAddress: text('postal_address').notNull().default(''),
    language: text('language').notNull(),
    position: integer('position').notNull().default(0),
    // Per-official part of the tally, raised with the campaign's counter.
    lettersCount: integer('letters_count').notNull().default(0),
    // How letters reach them: one paced mail each, a digest per period, or by hand (a printed dossier).
    delivery: text('delivery', { enum: deliveryModes }).notNull().default('each'),
    // Pacing of `each`: at most this many mails an hour, only within sendHours in their time zone.
    maxPerHour: integer('max_per_hour').notNull().default(30),
    sendHoursFrom: integer('send_hours_from').notNull().default(8),
    sendHoursTo: integer('send_hours_to').notNull().default(18),
    // IANA zone; null: the zone of their country (the capital's, for countries with several).
    timeZone: text('time_zone'),
    digestEvery: text('digest_every', { enum: digestPeriods }).notNull().default('day'),
    // Local hour the digest goes out (weekly digests on Mondays).
    digestHour: integer('digest_hour').notNull().default(9),
    // Supporters from these countries are offered this official first (an embassy: ["GB", "IE"]).
    forCountries: text('for_countries', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    // A permanent failure marks the address bouncing: nothing more is sent until it is fixed.
    deliveryState: text('delivery_state', { enum: deliveryStates }).notNull().default('ok'),
    bounceReason: text('bounce_reason'),
    bouncedAt: timestamp('bounced_at'),
    // A new address an organizer asked for, held until an admin approves it; mail keeps going to `email`.
    pendingEmail: text('pending_email'),
    pendingEmailBy: integer('pending_email_by'),
    pendingEmailAt: timestamp('pending_email_at'),
    translations: translations<TargetText>(),
    ...timestamps,
  },
  (t) => [index('targets_campaign_idx').on(t.campaignId), uniqueIndex('targets_campaign_email_unique').on(t.campaignId, t.email)],
)

export type Target = InferSelectModel<typeof targets>
