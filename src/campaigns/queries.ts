import { and, asc, desc, eq, sql, inArray } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { campaigns, campaignPeople, targets, letterTemplates } from '../db/schema/index.js'

/** Campaign reads; the hot ones are prepared once per database. */
export function campaignQueries(db: Db) {
  const bySlug = db
    .select()
    .from(campaigns)
    .where(eq(campaigns.slug, sql.placeholder('slug')))
    .prepare()
  const targetById = db
    .select()
    .from(targets)
    .where(and(eq(targets.id, sql.placeholder('id')), eq(targets.campaignId, sql.placeholder('campaignId'))))
    .prepare()
  const templateFor = db
    .select()
    .from(letterTemplates)
    .where(and(eq(letterTemplates.campaignId, sql.placeholder('campaignId')), eq(letterTemplates.language, sql.placeholder('language'))))
    .prepare()
  const targetsOf = db
    .select()
    .from(targets)
    .where(eq(targets.campaignId, sql.placeholder('campaignId')))
    .orderBy(asc(targets.position), asc(targets.id))
    .prepare()

  return {
    bySlug: (slug: string) => bySlug.get({ slug }),
    byId: (id: number) => db.select().from(campaigns).where(eq(campaigns.id, id)).get(),
    target: (campaignId: number, id: number) => targetById.get({ id, campaignId }),
    targets: (campaignId: number) => targetsOf.all({ campaignId }),
    template: (campaignId: number, language: string) => templateFor.get({ campaignId, language }),
    people: (campaignId: number) =>
      db.select().from(campaignPeople).where(eq(campaignPeople.campaignId, campaignId)).orderBy(asc(campaignPeople.position), asc(campaignPeople.id)).all(),
    listed: () =>
      db
        .select()
        .from(campaigns)
        .where(inArray(campaigns.status, ['live', 'closed']))
        .orderBy(desc(sql`${campaigns.status} = 'live'`), desc(campaigns.createdAt))
        .all(),
  }
}

export type CampaignQueries = ReturnType<typeof campaignQueries>
