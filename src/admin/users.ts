import crypto from 'node:crypto'
import { and, asc, eq, gt, isNull } from 'drizzle-orm'
import type { Db, DbOrTx } from '../db/client.js'
import { users, campaignOrganizers, invitations, campaigns, type Role, type User } from '../db/schema/index.js'

export const normalize = (email: string) => email.trim().toLowerCase()
export const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex')

export function userByEmail(db: DbOrTx, email: string): User | undefined {
  return db.select().from(users).where(eq(users.email, normalize(email))).get()
}

export function userById(db: DbOrTx, id: number): User | undefined {
  return db.select().from(users).where(eq(users.id, id)).get()
}

export function listUsers(db: DbOrTx): User[] {
  return db.select().from(users).orderBy(asc(users.role), asc(users.email)).all()
}

export function createUser(tx: DbOrTx, values: { email: string; name?: string; role: Role; passwordHash?: string | null }, now: Date): User {
  return tx
    .insert(users)
    .values({ email: normalize(values.email), name: values.name ?? '', role: values.role, passwordHash: values.passwordHash ?? null, createdAt: now, updatedAt: now })
    .returning()
    .get()
}

export function setPassword(tx: DbOrTx, userId: number, passwordHash: string, now: Date): void {
  tx.update(users).set({ passwordHash, updatedAt: now }).where(eq(users.id, userId)).run()
}

export function campaignIdsOf(db: DbOrTx, userId: number): number[] {
  return db.select({ id: campaignOrganizers.campaignId }).from(campaignOrganizers).where(eq(campaignOrganizers.userId, userId)).all().map((r) => r.id)
}

export function assignCampaign(tx: DbOrTx, userId: number, campaignId: number): void {
  tx.insert(campaignOrganizers).values({ userId, campaignId }).onConflictDoNothing().run()
}

export function unassignCampaign(tx: DbOrTx, userId: number, campaignId: number): void {
  tx.delete(campaignOrganizers).where(and(eq(campaignOrganizers.userId, userId), eq(campaignOrganizers.campaignId, campaignId))).run()
}

export function organizersOf(db: DbOrTx, campaignId: number) {
  return db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(campaignOrganizers)
    .innerJoin(users, eq(users.id, campaignOrganizers.userId))
    .where(eq(campaignOrganizers.campaignId, campaignId))
    .all()
}

/** Creates a one-time link; the token itself is only in the mail. */
export function createInvitation(tx: DbOrTx, userId: number, now: Date, days = 7): string {
  const token = crypto.randomBytes(32).toString('base64url')
  tx.insert(invitations).values({ userId, tokenHash: hashToken(token), expiresAt: new Date(now.getTime() + days * 86_400_000), createdAt: now }).run()
  return token
}

export function openInvitation(db: DbOrTx, token: string, now: Date) {
  return db
    .select({ invitation: invitations, user: users })
    .from(invitations)
    .innerJoin(users, eq(users.id, invitations.userId))
    .where(and(eq(invitations.tokenHash, hashToken(token)), isNull(invitations.usedAt), gt(invitations.expiresAt, now)))
    .get()
}

export function useInvitation(tx: DbOrTx, id: number, now: Date): boolean {
  return tx.update(invitations).set({ usedAt: now }).where(and(eq(invitations.id, id), isNull(invitations.usedAt))).run().changes === 1
}

export function allCampaigns(db: Db) {
  return db.select().from(campaigns).orderBy(asc(campaigns.title)).all()
}
