import { eq, sql } from 'drizzle-orm'
import { prepared, rawPlaceholder, type DbOrTx } from '../db/client.js'
import { campaigns, targets as targetsTable, type Campaign, type Target } from '../db/schema/index.js'

export type Tally = ReturnType<typeof tallyOf>

/** The public tally: read from the stored counters, never counted from the letters. */
export function tallyOf(campaign: Campaign, targets: Target[]) {
  return {
    goal: campaign.goal,
    // Online letters, as the letters table counts them; paper letters reported by groups apart.
    letters: campaign.lettersCount,
    offline: campaign.offlineCount,
    total: campaign.lettersCount + campaign.offlineCount,
    byTarget: targets.map((t) => ({ targetId: t.id, name: t.name, letters: t.lettersCount })),
    updatedAt: (campaign.tallyUpdatedAt ?? campaign.updatedAt).toISOString(),
  }
}

/** Raises the tally for one letter that counts; call inside the letter's transaction. */
export function countLetter(tx: DbOrTx, campaignId: number, targetId: number, now: Date): void {
  prepared(tx, 'tally.campaign', (db) =>
    db
      .update(campaigns)
      .set({ lettersCount: sql`${campaigns.lettersCount} + 1`, tallyUpdatedAt: rawPlaceholder('now') })
      .where(eq(campaigns.id, sql.placeholder('campaignId')))
      .prepare(),
  ).run({ campaignId, now: now.getTime() })
  prepared(tx, 'tally.target', (db) =>
    db
      .update(targetsTable)
      .set({ lettersCount: sql`${targetsTable.lettersCount} + 1` })
      .where(eq(targetsTable.id, sql.placeholder('targetId')))
      .prepare(),
  ).run({ targetId })
}
