import type { Db } from '../db/client.js'
import type { Clock } from '../clock.js'
import type { CampaignService } from '../campaigns/service.js'
import type { UpdateMailing } from './mailing.js'
import type { Language } from '../i18n/index.js'

/** An update as the campaign page lists it: in the page's language where translated (langs: what fell back). */
export interface UpdateView {
  id: number
  title: string
  /** Sanitised HTML from the Markdown. */
  html: string
  publishedAt: Date
  url: string
  langs: { title?: string; body?: string }
}

/** One dated step of a person's timeline, in the page's language where translated. */
export interface TimelineEntry {
  status: string
  /** YYYY-MM-DD */
  on: string
  lang?: string
  updateUrl?: string
}

declare module 'fastify' {
  interface FastifyInstance {
    updates: UpdateService
  }
}

/** app.updates: writing, publishing and reading updates (skeleton, being built). */
export function createUpdateService(deps: { db: Db; clock: Clock; campaigns: CampaignService; mailing: UpdateMailing; onMailQueued: () => void }) {
  void deps
  return {
    /**
     * What the campaign page shows of the updates: the latest published ones (newest first), how many
     * there are, and each person's timeline (oldest first), keyed by person id.
     */
    pageData(campaignId: number, lang: Language, baseLanguage: string): { latest: UpdateView[]; total: number; timelines: Record<number, TimelineEntry[]> } {
      void campaignId, lang, baseLanguage
      return { latest: [], total: 0, timelines: {} }
    },
  }
}

export type UpdateService = ReturnType<typeof createUpdateService>
