import { sqliteTable, integer, text, uniqueIndex, index } from 'drizzle-orm/sqlite-core'
import type { InferSelectModel } from 'drizzle-orm'
import { timestamp, timestamps, translations } from './columns.js'

/** What a campaign says in each of its languages. */
export const campaignTexts = ['title', 'summary', 'story'] as const
export type CampaignText = (typeof campaignTexts)[number]
/** A person's name in each script, their status and detail. */
export const personTexts = ['name', 'status', 'detail'] as const
export type PersonText = (typeof personTexts)[number]

export const campaignStatuses = ['draft', 'live', 'closed'] as const
export type CampaignStatus = (typeof campaignStatuses)[number]

export const campaigns = sqliteTable(
  'campaigns',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    slug: text('slug').notNull(),
    title: text('title').notNull(),
    summary: text('summary').notNull().default(''),
    story: text('story').notNull().default(''),
    goal: integer('goal').notNull(),
    status: text('status', { enum: campaignStatuses }).notNull().default('draft'),
    // Whether a letter / an RSVP counts only once confirmed from the mailbox. Off, public counts move
    // only every PUBLIC_COUNT_DELAY seconds, so a watcher cannot tie a change to one submission.
    confirmLetters: integer('confirm_letters', { mode: 'boolean' }).notNull().default(false),
    confirmRsvps: integer('confirm_rsvps', { mode: 'boolean' }).notNull().default(true),
    // First language is the default for supporters who do not choose one.
    languages: text('languages', { mode: 'json' }).$type<string[]>().notNull(),
    // The tally: raised in the same transaction as each letter that counts.
    lettersCount: integer('letters_count').notNull().default(0),
    // Letters posted on paper, reported by groups; kept apart from the online count.
    offlineCount: integer('offline_count').notNull().default(0),
    tallyUpdatedAt: timestamp('tally_updated_at'),
    translations: translations<CampaignText>(),
    ...timestamps,
  },
  (t) => [uniqueIndex('campaigns_slug_unique').on(t.slug), index('campaigns_status_idx').on(t.status)],
)

/** The people a campaign is for: the jailed, the released, the moved. */
export const campaignPeople = sqliteTable(
  'campaign_people',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    status: text('status').notNull(),
    detail: text('detail').notNull().default(''),
    statusChangedOn: text('status_changed_on'),
    position: integer('position').notNull().default(0),
    translations: translations<PersonText>(),
  },
  (t) => [index('campaign_people_campaign_idx').on(t.campaignId)],
)

export type Campaign = InferSelectModel<typeof campaigns>
export type CampaignPerson = InferSelectModel<typeof campaignPeople>
