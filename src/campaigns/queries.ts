import { and, asc, desc, eq, sql, inArray } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { campaigns, campaignPeople, targets, letterTemplates, type Target } from '../db/schema/index.js'

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

/**
 * The officials for a supporter's country first: those whose `forCountries` include it (the embassy in
 * their country), each marked `suggested`, then the others, every group in the campaign's order. Without
 * a country the order is unchanged and nothing is suggested. The letter form and the campaign API both
 * order by this rule.
 */
export function officialsForCountry<T extends Pick<Target, 'forCountries'>>(officials: T[], country?: string | null): (T & { suggested: boolean })[] {
  const code = country?.toUpperCase()
  const marked = officials.map((t) => ({ ...t, suggested: !!code && Array.isArray(t.forCountries) && t.forCountries.some((c) => c.toUpperCase() === code) }))
  return [...marked.filter((t) => t.suggested), ...marked.filter((t) => !t.suggested)]
}
