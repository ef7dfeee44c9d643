import type { FastifyInstance } from 'fastify'
import type { Response } from 'light-my-request'
import { hashPassword } from '../../src/admin/password.js'
import { assignCampaign, createUser } from '../../src/admin/users.js'
import type { Role } from '../../src/db/schema/index.js'
import { formSession } from '../helper.js'

export const PASSWORD = 'a long enough password'
let passwordHash: string | undefined

/** Creates a user who can sign in with PASSWORD; organizers get the campaigns listed. */
export async function addUser(app: FastifyInstance, email: string, role: Role, campaignIds: number[] = []) {
  passwordHash ??= await hashPassword(PASSWORD)
  return app.db.transaction((tx) => {
    const user = createUser(tx, { email, role, passwordHash: passwordHash! }, app.clock())
    for (const id of campaignIds) assignCampaign(tx, user.id, id)
    return user
  })
}

export interface Browser {
  cookie: string
  /** A CSRF token valid with this cookie jar. */
  token: string
  get(url: string, headers?: Record<string, string>): Promise<Response>
  post(url: string, fields?: Record<string, string | string[]>, headers?: Record<string, string>): Promise<Response>
}

function mergeCookies(jar: Map<string, string>, setCookie: string | string[] | undefined) {
  for (const c of (Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [])) {
    const [pair] = c.split(';')
    const [name, ...rest] = pair!.split('=')
    if (/Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c)) jar.delete(name!)
    else jar.set(name!, rest.join('='))
  }
}

/** A cookie jar that signs in through the real login form. */
export async function signIn(app: FastifyInstance, email: string, password = PASSWORD): Promise<Browser> {
  const jar = new Map<string, string>()
  const session = await formSession(app, '/admin/login')
  mergeCookies(jar, session.cookie.split('; ').map((c) => c))
  const browser: Browser = {
    get cookie() {
      return [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
    },
    token: session.token,
    async get(url, headers = {}) {
      const res = await app.inject({ method: 'GET', url, headers: { ...headers, cookie: browser.cookie } })
      mergeCookies(jar, res.headers['set-cookie'])
      return res
    },
    async post(url, fields = {}, headers = {}) {
      const body = new URLSearchParams()
      for (const [k, v] of Object.entries({ _csrf: browser.token, ...fields })) for (const item of Array.isArray(v) ? v : [v]) body.append(k, item)
      const res = await app.inject({ method: 'POST', url, headers: { ...headers, cookie: browser.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: body.toString() })
      mergeCookies(jar, res.headers['set-cookie'])
      return res
    },
  }
  const res = await browser.post('/admin/login', { email, password })
  if (res.statusCode !== 303) throw new Error(`sign-in failed for ${email}: ${res.statusCode}`)
  return browser
}
