import crypto from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import { z } from 'zod'

const boolish = z
  .enum(['on', 'off', 'true', 'false', '1', '0'])
  .transform((v) => v === 'on' || v === 'true' || v === '1')

/**
 * `off`, the proxies' addresses or CIDRs (comma-separated; proxy-addr's `loopback`, `linklocal` and
 * `uniquelocal` too), or the number of proxies in front (a hop count). `on` is refused: it would believe
 * any X-Forwarded-For, so anyone could pick the address their rate limits and sign-in attempts count on.
 */
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal'])
const isProxyAddress = (entry: string) => {
  if (PROXY_NAMES.has(entry)) return true
  const [address, bits, ...more] = entry.split('/')
  const family = net.isIP(address ?? '')
  if (!family || more.length) return false
  if (bits === undefined) return true
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128)
}
/** What fastify's trustProxy takes: off, the proxies' addresses, or which hops to believe. */
export type TrustProxy = false | string[] | ((address: string, hop: number) => boolean)

/**
 * The n nearest hops, whatever their address (fastify ignores a plain number): only where nobody
 * can reach Outcry except through those proxies.
 */
function hops(n: number): (address: string, hop: number) => boolean {
  const trust = (_address: string, hop: number) => hop < n
  return Object.defineProperty(trust, 'hops', { value: n, enumerable: true })
}

const trustProxy = z
  .string()
  .default('off')
  .transform((value, ctx): TrustProxy => {
    const v = value.trim().toLowerCase()
    if (['off', 'false', '0', 'no'].includes(v)) return false
    if (['on', 'true', 'yes', '1'].includes(v)) {
      ctx.addIssue({
        code: 'custom',
        message: `TRUST_PROXY=${value} would believe any client's X-Forwarded-For (1 has always meant on, not one hop); give your proxy's addresses or CIDRs (such as 127.0.0.1 or 10.0.0.0/8, comma-separated) or, with two proxies or more in front of Outcry, their number (such as 2)`,
      })
      return z.NEVER
    }
    if (/^\d+$/.test(v)) return hops(Number(v))
    const entries = value.split(',').map((e) => e.trim()).filter(Boolean)
    const bad = entries.filter((e) => !isProxyAddress(e))
    if (entries.length === 0 || bad.length) {
      ctx.addIssue({ code: 'custom', message: `TRUST_PROXY must be off, a list of addresses or CIDRs (such as 127.0.0.1,10.0.0.0/8) or a number of proxies; not understood: ${bad.join(', ') || value}` })
      return z.NEVER
    }
    return entries
  })

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i
const SELECTOR = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i
const DKIM_VARS = ['DKIM_DOMAIN', 'DKIM_SELECTOR', 'DKIM_PRIVATE_KEY'] as const

/** The DKIM key file: readable, and a private RSA key; otherwise why not, in a line. */
function readDkimKey(file: string): { pem: string } | { error: string } {
  let pem: string
  try {
    pem = fs.readFileSync(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    return { error: `DKIM_PRIVATE_KEY: cannot read ${file} (${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? String(err))}); make one with npm run dkim:keygen` }
  }
  try {
    const key = crypto.createPrivateKey(pem)
    if (key.asymmetricKeyType !== 'rsa') return { error: `DKIM_PRIVATE_KEY: ${file} holds a ${key.asymmetricKeyType} key; DKIM signing here takes an RSA key (npm run dkim:keygen makes one)` }
  } catch {
    return { error: `DKIM_PRIVATE_KEY: ${file} is not a PEM private key` }
  }
  return { pem }
}

const DEV_SECRET = 'outcry-development-only-secret-do-not-use-in-production'

export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_PATH: z.string().min(1).default('data/outcry.db'),
    BASE_URL: z.url({ protocol: /^https?$/, message: 'BASE_URL must be an http(s) URL such as https://outcry.example.org' }).optional(),
    SMTP_URL: z
      .url({ protocol: /^smtps?$/, message: 'SMTP_URL must look like smtp://user:pass@host:587 or smtps://…' })
      .optional(),
    MAIL_FROM: z.email({ message: 'MAIL_FROM must be an email address such as outcry@example.org' }).default('outcry@example.org'),
    MAIL_FROM_NAME: z.string().min(1).max(60).default('Outcry'),
    // Where officials' replies go unless the supporter chose to share their own address.
    REPLY_TO: z.email({ message: 'REPLY_TO must be an email address such as campaign@example.org' }).optional(),
    SESSION_SECRET: z.string().min(32, 'SESSION_SECRET must be at least 32 characters').optional(),
    // Only behind a reverse proxy: otherwise X-Forwarded-For is a client's to forge.
    TRUST_PROXY: trustProxy,
    RATE_LIMITS: boolish.default(true),
    LETTER_RATE_LIMIT: z.coerce.number().int().positive().default(30),
    LOGIN_RATE_LIMIT: z.coerce.number().int().positive().default(10),
    // Seconds between refreshes of a campaign's public counts while confirmation is off.
    PUBLIC_COUNT_DELAY: z.coerce.number().int().min(0).max(86_400).default(300),
    DISPATCHER: boolish.default(true),
    // DKIM: all three or none. The key file is read once, at start.
    DKIM_DOMAIN: z.string().regex(DOMAIN, 'DKIM_DOMAIN must be a domain name such as example.org').optional(),
    DKIM_SELECTOR: z.string().regex(SELECTOR, 'DKIM_SELECTOR must be a DNS label such as outcry or mail2026').optional(),
    DKIM_PRIVATE_KEY: z.string().min(1).optional(),
    // Return path of every mail: bounces+<outbox id>@BOUNCE_DOMAIN, so a later bounce names its mail (npm run bounce).
    BOUNCE_DOMAIN: z.string().regex(DOMAIN, 'BOUNCE_DOMAIN must be a domain name such as bounces.example.org').optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    // Who runs this Outcry and holds supporters' data: named on every campaign page and on /privacy.
    ORGANISATION_NAME: z.string().trim().min(1).max(150).default('The Outcry campaign team'),
    ORGANISATION_URL: z.url({ protocol: /^https?$/, message: 'ORGANISATION_URL must be an http(s) URL such as https://union.example.org' }).optional(),
    // Where supporters ask for their data or its erasure (an email address or a URL); default: REPLY_TO / MAIL_FROM.
    PRIVACY_CONTACT: z.string().trim().min(3).max(300).optional(),
    // How many update mails the dispatcher queues a minute at most, so a fan-out never crowds out letters and reminders.
    UPDATE_MAIL_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(600),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.SESSION_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'SESSION_SECRET is required when NODE_ENV=production' })
    }
    if (env.NODE_ENV === 'production' && !env.BASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['BASE_URL'], message: 'BASE_URL is required when NODE_ENV=production (links in mail use it)' })
    }
  })

export type Env = z.infer<typeof configSchema>

export interface Config {
  env: Env['NODE_ENV']
  port: number
  host: string
  databasePath: string
  baseUrl: string
  smtpUrl?: string
  mailFrom: string
  mailFromName: string
  replyTo: string
  sessionSecret: string
  organisation: { name: string; url?: string; privacyContact: string }
  updateMailPerMinute: number
  /** false, the proxies' addresses and CIDRs, or a hop count (as a function, with `hops` on it). */
  trustProxy: TrustProxy
  rateLimits: boolean
  letterRateLimit: number
  loginRateLimit: number
  publicCountDelay: number
  dispatcher: boolean
  logLevel: Env['LOG_LEVEL']
  /** Envelope sender domain (VERP): bounces+<outbox id>@bounceDomain; unset, the envelope sender is mailFrom. */
  bounceDomain?: string
  /** Every mail is signed with this key when set. */
  dkim?: { domain: string; selector: string; privateKey: string }
}

export class ConfigError extends Error {}

/** Reads the environment; throws a ConfigError that lists every bad variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  // Empty strings count as unset, as in most .env loaders.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = configSchema.safeParse(cleaned)
  // The key file is read here, once, and a bad one is listed with the other bad variables.
  const dkimKey = cleaned.DKIM_PRIVATE_KEY ? readDkimKey(cleaned.DKIM_PRIVATE_KEY) : undefined
  const lines = parsed.success ? [] : parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`)
  if (dkimKey && 'error' in dkimKey) lines.push(`  ${dkimKey.error}`)
  const dkimSet = DKIM_VARS.filter((name) => cleaned[name] !== undefined)
  if (dkimSet.length > 0 && dkimSet.length < DKIM_VARS.length) {
    const missing = DKIM_VARS.filter((name) => cleaned[name] === undefined)
    lines.push(`  ${missing[0]}: DKIM needs DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY together; ${dkimSet.join(' and ')} set without ${missing.join(' and ')}`)
  }
  if (!parsed.success || lines.length) throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`)
  const env = parsed.data
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    databasePath: env.DATABASE_PATH,
    baseUrl: (env.BASE_URL ?? `http://${env.HOST === '0.0.0.0' ? 'localhost' : env.HOST}:${env.PORT}`).replace(/\/+$/, ''),
    smtpUrl: env.SMTP_URL,
    mailFrom: env.MAIL_FROM,
    mailFromName: env.MAIL_FROM_NAME,
    replyTo: env.REPLY_TO ?? env.MAIL_FROM,
    sessionSecret: env.SESSION_SECRET ?? DEV_SECRET,
    organisation: { name: env.ORGANISATION_NAME, url: env.ORGANISATION_URL, privacyContact: env.PRIVACY_CONTACT ?? env.REPLY_TO ?? env.MAIL_FROM },
    updateMailPerMinute: env.UPDATE_MAIL_PER_MINUTE,
    trustProxy: env.TRUST_PROXY,
    rateLimits: env.RATE_LIMITS,
    letterRateLimit: env.LETTER_RATE_LIMIT,
    loginRateLimit: env.LOGIN_RATE_LIMIT,
    publicCountDelay: env.PUBLIC_COUNT_DELAY,
    dispatcher: env.DISPATCHER,
    logLevel: env.LOG_LEVEL,
    bounceDomain: env.BOUNCE_DOMAIN?.toLowerCase(),
    dkim:
      env.DKIM_DOMAIN && env.DKIM_SELECTOR && dkimKey && 'pem' in dkimKey
        ? { domain: env.DKIM_DOMAIN.toLowerCase(), selector: env.DKIM_SELECTOR.toLowerCase(), privateKey: dkimKey.pem }
        : undefined,
  }
}

/**
 * Whether MAIL_FROM's domain aligns with DKIM_DOMAIN (DMARC's relaxed alignment: the same domain, or one
 * inside the other); if not, a warning with what to do. Null when aligned or when nothing is signed.
 */
export function dkimAlignmentWarning(config: Pick<Config, 'mailFrom' | 'dkim'>): string | null {
  if (!config.dkim) return null
  const from = config.mailFrom.split('@').pop()!.toLowerCase()
  const d = config.dkim.domain
  if (from === d || from.endsWith(`.${d}`) || d.endsWith(`.${from}`)) return null
  return (
    `MAIL_FROM's domain ${from} is not DKIM_DOMAIN ${d} nor inside it: receivers check DMARC against the From domain, ` +
    `so a signature by ${d} does not vouch for mail from ${from}. Send from an address at ${d} (or at a subdomain of it), ` +
    `or set DKIM_DOMAIN=${from} and publish its key (npm run dkim:keygen); make sure SPF for ${from} lists the server behind SMTP_URL, ` +
    `and publish a DMARC record (_dmarc.${from}) once both pass.`
  )
}
