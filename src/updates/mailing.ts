import crypto from 'node:crypto'
import { and, asc, eq, lt, sql, type SQL } from 'drizzle-orm'
import type { Db, DbOrTx } from '../db/client.js'
import type { Clock } from '../clock.js'
import {
  campaigns as campaignsTable,
  campaignTexts,
  unsubscribes,
  updateMailDays,
  updateRecipients,
  updates,
  updateTexts,
  type Campaign,
  type OutboxMessage,
  type OutboxRow,
  type Update,
  type UpdateRecipient,
} from '../db/schema/index.js'
import type { MailKind } from '../mail/dispatcher.js'
import type { MailSettings } from '../mail/settings.js'
import { enqueueMail } from '../mail/outbox.js'
import { hasBounced } from '../mail/quota.js'
import { languageHeaders, mailLanguage, renderEmail } from '../mail/render.js'
import { translator, type Language } from '../i18n/index.js'
import { localize } from '../i18n/content.js'
import type { CampaignService } from '../campaigns/service.js'
import { renderMarkdown } from './markdown.js'

/**
 * Mailing an update to the supporters who consented: the fan-out.
 *
 * 1. `start` snapshots the recipients in the publishing transaction: one row per (update, address) in
 *    `update_recipients`, made by one INSERT … SELECT. The unique key is what makes "no one mailed twice"
 *    hold across crashes and repeated calls.
 * 2. `produce`, run by the dispatcher, moves waiting recipients to the outbox paced at
 *    UPDATE_MAIL_PER_MINUTE, each outbox row in the same transaction as the recipient marked queued: a
 *    crash between batches loses no one and queues no one twice, and a restart carries on.
 * 3. The outbox row holds no message (topic `update-recipient:<id>`): `kinds.update.compose` writes it
 *    when it is sent, so an unsubscribe or an erasure after the snapshot still stops it.
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

const MINUTE = 60_000
/** Recipients moved to the outbox in one transaction: short write locks, letters and RSVPs go between. */
const BATCH = 200
const TOPIC = 'update-recipient:'

const utcDay = (d: Date) => d.toISOString().slice(0, 10)

/** The outbox row's recipient (its topic), or null for a row that is not one. */
export function recipientIdOf(row: Pick<OutboxRow, 'topic'>): number | null {
  const m = /^update-recipient:([1-9]\d{0,15})$/.exec(row.topic ?? '')
  return m ? Number(m[1]) : null
}

/**
 * Everyone who may hear from the campaign: the writers of counted letters and the people who RSVPed
 * (confirmed) to its pickets, who ticked consent, not erased, not unsubscribed from it. One row per
 * letter or RSVP (`en` the normalised address, `at` when it was written): callers fold them by address.
 */
function supporters(campaignId: number): SQL {
  return sql`supporters as (
      select l.email_normalized as en, l.supporter_email as email, l.supporter_name as name,
             coalesce(l.supporter_language, l.language) as lang, l.created_at as at, 0 as src, l.id as ord
      from letters l
      where l.campaign_id = ${campaignId} and l.consent = 1 and l.status in ('queued', 'outgoing', 'sent')
        and l.email_normalized is not null and l.supporter_email is not null
      union all
      select r.email_normalized, r.email, r.name, r.language, r.created_at, 1, r.id
      from rsvps r join pickets p on p.id = r.picket_id
      where p.campaign_id = ${campaignId} and r.consent = 1 and r.status <> 'pending_confirmation'
        and r.email_normalized is not null and r.email is not null
    ),
    reachable as (
      select * from supporters s
      where not exists (select 1 from unsubscribes u where u.campaign_id = ${campaignId} and u.email_normalized = s.en)
    )`
}

/** Whether the address asked for no more updates from the campaign. */
export function isUnsubscribed(db: DbOrTx, campaignId: number, emailNormalized: string): boolean {
  return db.select({ id: unsubscribes.id }).from(unsubscribes).where(and(eq(unsubscribes.campaignId, campaignId), eq(unsubscribes.emailNormalized, emailNormalized))).get() !== undefined
}

/** The language of an update mail: the one the supporter used where the update is written in it, else the update's own. */
export function updateMailLanguage(update: Pick<Update, 'language' | 'translations'>, wanted: string | null | undefined): Language {
  const lang = mailLanguage(wanted)
  if (lang === update.language) return lang
  const translated = update.translations?.[lang]
  if (translated?.title?.trim() && translated.body?.trim()) return lang
  // Not translated: our words in the update's language too, so the mail reads in one language.
  return mailLanguage(update.language)
}

export interface UpdateMailDeps {
  mail: MailSettings
  /** Who runs the campaign (ORGANISATION_NAME), named in every update mail. */
  organisation?: { name: string }
}

/**
 * The update mail to one address: the update in its language (HTML from the Markdown, the Markdown as
 * the text part), who sends it and why, and a visible unsubscribe link. `unsubscribeUrl` also goes in
 * List-Unsubscribe with List-Unsubscribe-Post (RFC 8058): a click there stops exactly this kind of mail.
 * A test (to the organizer) has neither: unsubscribing would stop nothing for them.
 */
export function updateMessage(
  deps: UpdateMailDeps,
  campaign: Campaign,
  update: Update,
  to: { name?: string | null; address: string },
  wanted: string | null | undefined,
  opts: { unsubscribeUrl?: string; test?: boolean; messageId: string },
): OutboxMessage {
  const { mail } = deps
  const lang = updateMailLanguage(update, wanted)
  const t = translator(lang)
  const texts = localize(update, updateTexts, lang, update.language)
  const local = localize(campaign, campaignTexts, lang, campaign.languages[0] ?? lang)
  const subject = opts.test ? t('updateMail.testSubject', { title: texts.title }) : texts.title
  const campaignUrl = `${mail.baseUrl}/campaigns/${campaign.slug}`
  const data = {
    subject,
    title: texts.title,
    html: renderMarkdown(texts.body),
    markdown: texts.body.trim(),
    campaign: local,
    campaignLangs: local.langs,
    campaignUrl,
    updatesUrl: `${campaignUrl}/updates`,
    organisation: deps.organisation?.name ?? mail.fromName,
    unsubscribeUrl: opts.unsubscribeUrl,
    test: opts.test === true,
  }
  const { text, html } = renderEmail('update', data, { lang, title: subject })
  return {
    from: { name: mail.fromName, address: mail.from },
    to: { name: to.name ?? '', address: to.address },
    subject,
    text,
    html,
    messageId: opts.messageId,
    headers: {
      ...languageHeaders(lang),
      ...(opts.unsubscribeUrl ? { 'List-Unsubscribe': `<${opts.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {}),
    },
  }
}

export function createUpdateMailing(deps: { db: Db; clock: Clock; mail: MailSettings; campaigns: CampaignService; perMinute: number; organisation?: { name: string } }): UpdateMailing {
  const { db, mail, campaigns } = deps
  const perMinute = Math.max(1, Math.floor(deps.perMinute))
  // The mails of one pass are spread over the minute, so letters and reminders queued meanwhile
  // (due now) are claimed between them instead of behind a burst of hundreds.
  const spacing = MINUTE / perMinute

  /**
   * Per update, on one UTC day, the last recipient looked at: recipients before it still waiting are
   * the ones who already got an update mail from the campaign that day, so a pass need not read them
   * again until tomorrow. Kept in memory only: after a restart one pass reads them once more.
   */
  const cursors = new Map<number, { day: string; afterId: number }>()
  let prunedDay = ''

  // The statements a pass runs for each recipient, prepared once (raw: they run inside the pass's
  // drizzle transaction, on the same connection).
  const sqlite = db.$client
  const statements = {
    /**
     * Update mail queued in the last minute. Read from the outbox through its (status, next_attempt_at)
     * index: a row made in the last minute is due no earlier than it was made, so the scan covers only
     * recent and future mail, however many recipients earlier minutes queued.
     */
    lastMinute: sqlite.prepare<[number, number], { n: number }>(
      `select count(*) as n from outbox
       where status in ('queued', 'sending', 'sent', 'failed', 'expired') and next_attempt_at > ? and kind = 'update' and created_at > ?`,
    ),
    skip: sqlite.prepare<[number]>(`update update_recipients set state = 'skipped' where id = ?`),
    today: sqlite.prepare<[number, string, string]>(`insert into update_mail_days (campaign_id, email_normalized, day) values (?, ?, ?) on conflict do nothing`),
    queue: sqlite.prepare<[string, string, number, number]>(
      `insert into outbox (kind, topic, recipient, message, status, attempts, next_attempt_at, created_at) values ('update', ?, ?, null, 'queued', 0, ?, ?)`,
    ),
    queued: sqlite.prepare<[number, number]>(`update update_recipients set state = 'queued', queued_at = ? where id = ?`),
  }

  function queuedLastMinute(now: Date): number {
    const since = now.getTime() - MINUTE
    return statements.lastMinute.get(since, since)?.n ?? 0
  }

  /** Marks the update's mailing done once none of its recipients waits (erased or unsubscribed ones included). */
  function finishIfNoneWaiting(tx: DbOrTx, updateId: number, now: Date): void {
    const waiting = tx.select({ id: updateRecipients.id }).from(updateRecipients).where(and(eq(updateRecipients.updateId, updateId), eq(updateRecipients.state, 'waiting'))).limit(1).get()
    if (!waiting) tx.update(updates).set({ mailState: 'done', mailDoneAt: now }).where(and(eq(updates.id, updateId), eq(updates.mailState, 'sending'))).run()
  }

  /** One transaction's batch of one update; `full` once the minute's allowance is used up. */
  function queueBatch(tx: DbOrTx, update: { id: number; campaignId: number }, day: string, now: Date): { queued: number; more: boolean; full: boolean; afterId?: number } {
    const room = perMinute - queuedLastMinute(now)
    if (room <= 0) {
      finishIfNoneWaiting(tx, update.id, now)
      return { queued: 0, more: false, full: true }
    }
    const cursor = cursors.get(update.id)
    const afterId = cursor?.day === day ? cursor.afterId : 0
    const limit = Math.min(room, BATCH)
    const rows = tx.all<{ id: number; email: string | null; en: string; unsubscribed: number }>(sql`
      select ur.id as id, ur.email as email, ur.email_normalized as en,
             exists (select 1 from unsubscribes u where u.campaign_id = ur.campaign_id and u.email_normalized = ur.email_normalized) as unsubscribed
      from update_recipients ur
      where ur.update_id = ${update.id} and ur.state = 'waiting' and ur.id > ${afterId}
        and not exists (select 1 from update_mail_days d where d.campaign_id = ur.campaign_id and d.email_normalized = ur.email_normalized and d.day = ${day})
      order by ur.id
      limit ${limit}`)
    let queued = 0
    for (const r of rows) {
      // Unsubscribed or erased since the snapshot, or the address bounced for good: not mailed.
      if (r.unsubscribed || !r.email || hasBounced(tx, r.email)) {
        statements.skip.run(r.id)
        continue
      }
      // At most one update mail a day from a campaign to an address. One who already got one today
      // stays waiting and gets this one another day: news is delayed, never dropped.
      if (statements.today.run(update.campaignId, r.en, day).changes === 0) continue
      statements.queue.run(`${TOPIC}${r.id}`, r.email, now.getTime() + Math.floor(queued * spacing), now.getTime())
      statements.queued.run(now.getTime(), r.id)
      queued++
    }
    const more = rows.length === limit
    // Everyone looked at: done when nobody waits any more (else they wait for tomorrow).
    if (!more) finishIfNoneWaiting(tx, update.id, now)
    return { queued, more, full: queued >= room, afterId: rows.at(-1)?.id ?? afterId }
  }

  function recipientOf(id: number | null): UpdateRecipient | undefined {
    if (id === null) return undefined
    return db.select().from(updateRecipients).where(eq(updateRecipients.id, id)).get()
  }

  const updateKind: MailKind = {
    compose(row) {
      const recipient = recipientOf(recipientIdOf(row))
      // Erased (no address), or unsubscribed since it was queued: withdrawn.
      if (!recipient || recipient.state !== 'queued' || !recipient.email) return null
      if (isUnsubscribed(db, recipient.campaignId, recipient.emailNormalized)) return null
      const update = db.select().from(updates).where(eq(updates.id, recipient.updateId)).get()
      if (!update || update.status !== 'published') return null
      const campaign = campaigns.byId(recipient.campaignId)
      if (!campaign) return null
      return updateMessage(deps, campaign, update, { name: recipient.name, address: recipient.email }, recipient.language, {
        unsubscribeUrl: `${mail.baseUrl}/unsubscribe/${recipient.token}`,
        // Stable: a retry sends the same message.
        messageId: `<update.${update.id}.${recipient.id}@${mail.domain}>`,
      })
    },
    withdrawn(tx, row) {
      const id = recipientIdOf(row)
      if (id !== null) tx.update(updateRecipients).set({ state: 'skipped' }).where(and(eq(updateRecipients.id, id), eq(updateRecipients.state, 'queued'))).run()
    },
  }

  return {
    kinds: { update: updateKind },

    produce(now) {
      const sending = db.select({ id: updates.id, campaignId: updates.campaignId }).from(updates).where(eq(updates.mailState, 'sending')).orderBy(asc(updates.mailStartedAt), asc(updates.id)).all()
      const day = utcDay(now)
      if (prunedDay !== day) {
        // Yesterday's rows still tell today's passes nothing; older ones go.
        db.delete(updateMailDays).where(lt(updateMailDays.day, utcDay(new Date(now.getTime() - 86_400_000)))).run()
        prunedDay = day
      }
      if (sending.length === 0) return 0
      let queued = 0
      for (const update of sending) {
        for (;;) {
          // Immediate: several dispatchers on one database take the minute's allowance one at a time.
          const batch = db.transaction((tx) => queueBatch(tx, update, day, now), { behavior: 'immediate' })
          queued += batch.queued
          if (batch.afterId !== undefined) cursors.set(update.id, { day, afterId: batch.afterId })
          if (batch.full) return queued
          if (!batch.more) break
        }
      }
      return queued
    },

    recipientCount(campaignId) {
      const row = db.get<{ n: number }>(sql`with ${supporters(campaignId)} select count(distinct en) as n from reachable`)
      return row?.n ?? 0
    },

    start(tx, update, now) {
      // The supporter's latest letter or RSVP gives the name and language the mail uses.
      const inserted = tx.run(sql`
        with ${supporters(update.campaignId)},
        latest as (select en, email, name, lang, row_number() over (partition by en order by at desc, src desc, ord desc) as n from reachable)
        insert into update_recipients (update_id, campaign_id, email_normalized, email, name, language, token, state, created_at)
        select ${update.id}, ${update.campaignId}, en, email, name, lang, lower(hex(randomblob(16))), 'waiting', ${now.getTime()}
        from latest where n = 1
        on conflict (update_id, email_normalized) do nothing`).changes
      const total = tx.get<{ n: number }>(sql`select count(*) as n from update_recipients where update_id = ${update.id}`)?.n ?? 0
      const current = tx.select({ mailState: updates.mailState }).from(updates).where(eq(updates.id, update.id)).get()
      if (current && (inserted > 0 || current.mailState !== 'done')) {
        // Nobody to mail (none consented, or all unsubscribed): done at once, not "being mailed to 0".
        const done = total === 0
        tx.update(updates)
          .set({ mailState: done ? 'done' : 'sending', recipients: total, mailStartedAt: sql`coalesce(${updates.mailStartedAt}, ${now.getTime()})`, mailDoneAt: done ? now : null })
          .where(eq(updates.id, update.id))
          .run()
      }
      return total
    },

    sendTest(tx, update, to, lang, now) {
      // Read in the caller's transaction: the campaign service reads outside it.
      const campaign = tx.select().from(campaignsTable).where(eq(campaignsTable.id, update.campaignId)).get()
      if (!campaign) return
      const message = updateMessage(deps, campaign, update, to, lang, { test: true, messageId: `<update-test.${update.id}.${crypto.randomBytes(6).toString('base64url')}@${mail.domain}>` })
      enqueueMail(tx, { kind: 'update_test', message }, now)
    },
  }
}

/** An unsubscribe link's recipient and campaign, and whether the address is unsubscribed already. */
export function unsubscribeLink(db: DbOrTx, token: string): { recipient: UpdateRecipient; unsubscribed: boolean } | undefined {
  if (!/^[0-9a-f]{32}$/.test(token)) return undefined
  const recipient = db.select().from(updateRecipients).where(eq(updateRecipients.token, token)).get()
  if (!recipient) return undefined
  // An erased supporter's link stops nothing any more: nothing goes to them.
  const unsubscribed = !recipient.email || isUnsubscribed(db, recipient.campaignId, recipient.emailNormalized)
  return { recipient, unsubscribed }
}

/**
 * One click: the address gets no more updates from the campaign, including those already listed for
 * it (the producer skips them, compose withdraws mail already queued). Idempotent.
 */
export function unsubscribe(db: DbOrTx, token: string, now: Date): { recipient: UpdateRecipient } | undefined {
  const found = unsubscribeLink(db, token)
  if (!found) return undefined
  const { recipient } = found
  if (recipient.email) {
    db.insert(unsubscribes).values({ campaignId: recipient.campaignId, emailNormalized: recipient.emailNormalized, createdAt: now }).onConflictDoNothing().run()
    // Recipients still waiting in other updates of the campaign are skipped when their turn comes.
  }
  return { recipient }
}
