import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp, type AppOptions } from '../src/app.js'
import { loadConfig, type Config } from '../src/config.js'
import { seedDemo } from '../src/demo/seed.js'

/** A clock tests move by hand: nothing sleeps. */
export class TestClock {
  constructor(public current = new Date('2026-12-01T10:00:00Z')) {}
  now = () => new Date(this.current.getTime())
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms)
  }
}

interface Teardownable {
  teardown(fn: () => unknown): void
}

export function tempDir(t: Teardownable): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outcry-test-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

export function testConfig(dir: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_PATH: path.join(dir, 'outcry.db'),
    BASE_URL: 'http://outcry.test',
    MAIL_FROM: 'outcry@outcry.test',
    RATE_LIMITS: 'off',
    DISPATCHER: 'off',
    LOG_LEVEL: 'silent',
    // Public counts live, unless a test is about their delay.
    PUBLIC_COUNT_DELAY: '0',
    ...env,
  })
}

export interface BuildOptions extends AppOptions {
  env?: Record<string, string>
  /** Load the demo campaign (default true). */
  seed?: boolean
  /** Reuse a database directory (to test restarts). */
  dir?: string
  /**
   * The demo campaign confirms letters, as every new campaign does. Most tests are about what
   * happens to a letter that counts, so they get the demo with confirmation off unless they say true.
   */
  confirmLetters?: boolean
  /**
   * The demo's officials take mail paced (30 an hour, 08–18 their time), as every official does. Most
   * tests are about what happens to mail, so they get officials that take it at once unless they say true.
   */
  pacedOfficials?: boolean
}

/** Builds the app on a temporary database and closes it when the test ends. */
export async function build(t: Teardownable, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const dir = opts.dir ?? tempDir(t)
  const config = testConfig(dir, opts.env)
  const app = await buildApp(config, { logger: false, ...opts })
  t.teardown(() => app.close())
  await app.ready()
  if (opts.seed !== false) seedDemo(app.db)
  if (opts.seed !== false && opts.confirmLetters !== true) app.db.$client.prepare(`update campaigns set confirm_letters = 0`).run()
  if (opts.seed !== false && opts.pacedOfficials !== true) app.db.$client.prepare(`update targets set max_per_hour = 100000, send_hours_from = 0, send_hours_to = 24`).run()
  return app
}

/** Opens a form page and returns what a browser would send back: the CSRF cookie and token. */
export async function formSession(app: FastifyInstance, url: string): Promise<{ cookie: string; token: string; html: string }> {
  const res = await app.inject({ method: 'GET', url })
  const token = /name="_csrf" value="([^"]+)"/.exec(res.body)?.[1]
  const setCookie = res.headers['set-cookie']
  const cookies = (Array.isArray(setCookie) ? setCookie : [setCookie]).filter(Boolean) as string[]
  if (!token || cookies.length === 0) throw new Error(`no CSRF token on ${url} (status ${res.statusCode})`)
  return { cookie: cookies.map((c) => c.split(';')[0]).join('; '), token, html: res.body }
}

export async function postForm(app: FastifyInstance, url: string, fields: Record<string, string | string[]>, session: { cookie: string; token: string }) {
  const body = new URLSearchParams()
  for (const [k, v] of Object.entries({ _csrf: session.token, ...fields })) {
    for (const item of Array.isArray(v) ? v : [v]) body.append(k, item)
  }
  return app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session.cookie },
    payload: body.toString(),
  })
}

export const supporter = {
  name: 'Roza T.',
  email: 'roza@example.com',
  country: 'GB',
  city: 'Leeds',
  organisation: 'Unite',
}

export function tableCount(app: FastifyInstance, table: string, where = '1=1'): number {
  const sqlite = (app.db as unknown as { $client: { prepare(sql: string): { get(): { n: number } } } }).$client
  return sqlite.prepare(`select count(*) as n from ${table} where ${where}`).get().n
}
