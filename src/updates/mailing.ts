import type { Db, DbOrTx } from '../db/client.js'
import type { Clock } from '../clock.js'
import type { Update } from '../db/schema/index.js'
import type { MailKind } from '../mail/dispatcher.js'
import type { MailSettings } from '../mail/settings.js'
import type { CampaignService } from '../campaigns/service.js'

/**
 * Mailing an update to the supporters who consented (skeleton: the fan-out is being built).
 * The contract the updates service relies on.
 */
export interface UpdateMailing {
  /** Outbox kinds composed at send time (the update mail to one recipient). */
  kinds: Record<string, MailKind>
  /** Run by the dispatcher: queues due update mails within UPDATE_MAIL_PER_MINUTE. */
  produce(now: Date): number
  /** How many addresses an update of this campaign would reach now (consented, distinct, not unsubscribed). */
  recipientCount(campaignId: number): number
  /** In the publishing transaction: snapshots the recipients, marks the update `sending`; returns how many. */
  start(tx: DbOrTx, update: Update, now: Date): number
  /** A test mail of the update to the organizer alone (through the outbox, like any mail). */
  sendTest(tx: DbOrTx, update: Update, to: { name: string; address: string }, lang: string, now: Date): void
}

export function createUpdateMailing(deps: { db: Db; clock: Clock; mail: MailSettings; campaigns: CampaignService; perMinute: number }): UpdateMailing {
  void deps
  return {
    kinds: {},
    produce: () => 0,
    recipientCount: () => 0,
    start: () => 0,
    sendTest: () => undefined,
  }
}
