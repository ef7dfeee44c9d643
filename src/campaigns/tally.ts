import type { Campaign, Target } from '../db/schema/index.js'

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
