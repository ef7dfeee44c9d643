import { sqliteTable, integer, text, index, uniqueIndex, primaryKey } from 'drizzle-orm/sqlite-core'
import type { InferSelectModel } from 'drizzle-orm'
import { timestamp, timestamps } from './columns.js'
import { campaigns } from './campaigns.js'

export const roles = ['admin', 'organizer'] as const
export type Role = (typeof roles)[number]

/** Admins and organizers; supporters have no account. */
export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    email: text('email').notNull(),
    name: text('name').notNull().default(''),
    role: text('role', { enum: roles }).notNull(),
    // Null until the invitation is accepted.
    passwordHash: text('password_hash'),
    disabledAt: timestamp('disabled_at'),
    ...timestamps,
  },
  (t) => [uniqueIndex('users_email_unique').on(t.email)],
)

/** Which campaigns an organizer runs. Admins run all of them. */
export const campaignOrganizers = sqliteTable(
  'campaign_organizers',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.campaignId] })],
)

/** One-time links to set a password: invitations (and, later, resets). */
export const invitations = sqliteTable(
  'invitations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    expiresAt: timestamp('expires_at').notNull(),
    usedAt: timestamp('used_at'),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [uniqueIndex('invitations_token_unique').on(t.tokenHash)],
)

/** Server-side sessions for @fastify/session. */
export const sessions = sqliteTable(
  'sessions',
  {
    sid: text('sid').primaryKey(),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    expiresAt: timestamp('expires_at').notNull(),
  },
  (t) => [index('sessions_expires_idx').on(t.expiresAt)],
)

/** Bearer tokens for /api/admin, stored hashed; scoped to their user's role and campaigns. */
export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    // The first characters, to tell tokens apart on the screen.
    prefix: text('prefix').notNull(),
    createdAt: timestamp('created_at').notNull(),
    lastUsedAt: timestamp('last_used_at'),
    // Null only for tokens made before expiry existed: they end 90 days after creation.
    expiresAt: timestamp('expires_at'),
    revokedAt: timestamp('revoked_at'),
  },
  (t) => [uniqueIndex('api_tokens_hash_unique').on(t.tokenHash)],
)

/** Who changed what and who exported what. */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id'),
    userEmail: text('user_email'),
    action: text('action').notNull(),
    campaignId: integer('campaign_id'),
    subject: text('subject'),
    detail: text('detail', { mode: 'json' }).$type<Record<string, unknown>>(),
    ip: text('ip'),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [index('audit_log_created_idx').on(t.createdAt), index('audit_log_campaign_idx').on(t.campaignId)],
)

/** Letters groups posted on paper: they count in the total beside the online ones. */
export const offlineLetters = sqliteTable(
  'offline_letters',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    count: integer('count').notNull(),
    // The day the letters were posted (YYYY-MM-DD).
    date: text('date').notNull(),
    group: text('group_name').notNull(),
    country: text('country').notNull(),
    note: text('note').notNull().default(''),
    createdBy: integer('created_by'),
    ...timestamps,
  },
  (t) => [index('offline_letters_campaign_idx').on(t.campaignId, t.date)],
)

export type User = InferSelectModel<typeof users>
export type ApiToken = InferSelectModel<typeof apiTokens>
export type OfflineLetter = InferSelectModel<typeof offlineLetters>
export type AuditEntry = InferSelectModel<typeof auditLog>
