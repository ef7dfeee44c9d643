import type { FastifyInstance } from 'fastify'
import { build, TestClock } from '../helper.js'
import { addUser, signIn } from '../admin/helper.js'
import { createApiToken } from '../../src/admin/api.js'

export const actor = { id: 1, email: 'organizer@union.example' }

/** An app at 1 December 2026 with the demo campaign (en, ru, kk) and its people by first name. */
export async function setup(t: { teardown(fn: () => unknown): void }) {
  const clock = new TestClock(new Date('2026-12-01T10:00:00Z'))
  const app = await build(t, { clock: clock.now })
  // The demo's update was published when it was seeded (real time): before the test clock here.
  app.db.$client.prepare('update updates set published_at = ?, created_at = ?, updated_at = ?').run(Date.parse('2026-11-01T00:00:00Z'), Date.parse('2026-11-01T00:00:00Z'), Date.parse('2026-11-01T00:00:00Z'))
  const campaign = app.campaigns.bySlug('zhanaozen')!
  const people = app.campaigns.people(campaign.id)
  const person = (first: string) => people.find((p) => p.name.startsWith(first))!
  return { app, clock, campaign, roza: person('Roza'), kanat: person('Kanat'), shabdal: person('Shabdal') }
}

export function api(app: FastifyInstance, token: string) {
  return (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, ...(payload === undefined ? {} : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }) })
}

/** An organizer of the campaigns given: a signed-in browser and an API caller. */
export async function organizer(app: FastifyInstance, email: string, campaignIds: number[]) {
  const user = await addUser(app, email, 'organizer', campaignIds)
  return { user, browser: await signIn(app, email), call: api(app, createApiToken(app.db, user.id, 'test', app.clock()).token) }
}
