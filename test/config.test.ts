import { spawn, spawnSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { loadConfig, ConfigError, dkimAlignmentWarning } from '../src/config.js'

t.test('defaults are the embedded ones', async (t) => {
  const c = loadConfig({})
  t.equal(c.port, 3000)
  t.equal(c.host, '127.0.0.1')
  t.equal(c.databasePath, 'data/outcry.db')
  t.equal(c.baseUrl, 'http://127.0.0.1:3000')
  t.equal(c.smtpUrl, undefined)
  t.equal(c.rateLimits, true)
})

t.test('bad values are all reported with their variable names', async (t) => {
  const err = t.throws(() => loadConfig({ PORT: 'eighty', BASE_URL: 'not a url', SMTP_URL: 'http://x', MAIL_FROM: 'nobody' })) as Error
  t.type(err, ConfigError)
  for (const name of ['PORT', 'BASE_URL', 'SMTP_URL', 'MAIL_FROM']) t.match(err.message, name)
})

t.test('production requires a session secret and a base URL', async (t) => {
  const err = t.throws(() => loadConfig({ NODE_ENV: 'production' })) as Error
  t.match(err.message, /SESSION_SECRET is required/)
  t.match(err.message, /BASE_URL is required/)
  const ok = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), BASE_URL: 'https://outcry.example.org/' })
  t.equal(ok.baseUrl, 'https://outcry.example.org')
})

t.test('RATE_LIMITS=off turns limits off', async (t) => {
  t.equal(loadConfig({ RATE_LIMITS: 'off' }).rateLimits, false)
  t.throws(() => loadConfig({ RATE_LIMITS: 'maybe' }), /RATE_LIMITS/)
})

t.test('TRUST_PROXY: on is refused with a plain message; addresses, CIDRs or a hop count are taken', async (t) => {
  t.equal(loadConfig({}).trustProxy, false, 'off by default')
  t.equal(loadConfig({ TRUST_PROXY: 'off' }).trustProxy, false)
  for (const on of ['on', 'true', 'yes', '1', 'ON']) {
    const err = t.throws(() => loadConfig({ TRUST_PROXY: on, PORT: 'eighty' }), `TRUST_PROXY=${on}`) as Error
    t.type(err, ConfigError)
    t.match(err.message, `TRUST_PROXY: TRUST_PROXY=${on} would believe any client's X-Forwarded-For`)
    t.match(err.message, /addresses or CIDRs .* their number/)
    t.match(err.message, 'PORT', 'listed with the other bad variables')
  }
  t.same(loadConfig({ TRUST_PROXY: '127.0.0.1' }).trustProxy, ['127.0.0.1'])
  t.same(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.5 ,::1,fd00::/8,loopback' }).trustProxy, ['10.0.0.0/8', '192.168.1.5', '::1', 'fd00::/8', 'loopback'])
  const two = loadConfig({ TRUST_PROXY: '2' }).trustProxy
  t.type(two, 'function', 'a hop count')
  if (typeof two === 'function') {
    t.same([two('203.0.113.9', 0), two('203.0.113.9', 1), two('203.0.113.9', 2)], [true, true, false], 'the two nearest hops are believed')
  }
  for (const bad of ['proxy.example.org', '10.0.0.0/33', '1.2.3', '10.0.0.1,*', '-1']) {
    t.throws(() => loadConfig({ TRUST_PROXY: bad }), /TRUST_PROXY: TRUST_PROXY must be off, a list of addresses or CIDRs/, bad)
  }
})

t.test('a trusted proxy sets the client address; a client that is not one cannot', async (t) => {
  const { default: Fastify } = await import('fastify')
  const ipOf = async (trustProxy: ReturnType<typeof loadConfig>['trustProxy'], remoteAddress: string) => {
    const app = Fastify({ trustProxy })
    app.get('/', async (req) => req.ip)
    const res = await app.inject({ url: '/', remoteAddress, headers: { 'x-forwarded-for': '198.51.100.7' } })
    await app.close()
    return res.body
  }
  t.equal(await ipOf(loadConfig({ TRUST_PROXY: '10.0.0.0/8' }).trustProxy, '10.1.2.3'), '198.51.100.7')
  t.equal(await ipOf(loadConfig({ TRUST_PROXY: '10.0.0.0/8' }).trustProxy, '203.0.113.9'), '203.0.113.9', 'not from the proxy: the header is ignored')
  const twoHops = async (remoteAddress: string) => {
    const app = Fastify({ trustProxy: loadConfig({ TRUST_PROXY: '2' }).trustProxy })
    app.get('/', async (req) => req.ip)
    const res = await app.inject({ url: '/', remoteAddress, headers: { 'x-forwarded-for': '192.0.2.1, 198.51.100.7, 10.0.0.2' } })
    await app.close()
    return res.body
  }
  t.equal(await twoHops('10.1.2.3'), '198.51.100.7', 'two hops: the address the second proxy saw, not the one a client wrote first')
  t.equal(await ipOf(loadConfig({}).trustProxy, '10.1.2.3'), '10.1.2.3', 'off')
})

/** A PEM key file in a folder removed after the test. */
function keyFile(t: { teardown(fn: () => unknown): void }, type: 'rsa' | 'ed25519' = 'rsa', content?: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outcry-dkim-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'dkim.pem')
  const pem =
    content ??
    (type === 'rsa'
      ? crypto.generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey
      : crypto.generateKeyPairSync('ed25519', { privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey)
  fs.writeFileSync(file, pem)
  return file
}

t.test('DKIM: the three settings together; the key is read at start', async (t) => {
  t.equal(loadConfig({}).dkim, undefined, 'off by default')
  const file = keyFile(t)
  const c = loadConfig({ DKIM_DOMAIN: 'Example.ORG', DKIM_SELECTOR: 'Outcry', DKIM_PRIVATE_KEY: file })
  t.equal(c.dkim?.domain, 'example.org')
  t.equal(c.dkim?.selector, 'outcry')
  t.equal(c.dkim?.privateKey, fs.readFileSync(file, 'utf8'), 'the key itself, not its path')
})

t.test('DKIM: only some of the three, a missing or unreadable file, or not a key: listed with the other bad variables', async (t) => {
  const file = keyFile(t)
  const some = t.throws(() => loadConfig({ DKIM_DOMAIN: 'example.org', PORT: 'eighty' })) as Error
  t.type(some, ConfigError)
  t.match(some.message, 'DKIM needs DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY together; DKIM_DOMAIN set without DKIM_SELECTOR and DKIM_PRIVATE_KEY')
  t.match(some.message, 'PORT', 'with the other errors')
  t.throws(() => loadConfig({ DKIM_SELECTOR: 'outcry', DKIM_PRIVATE_KEY: file }), /DKIM_DOMAIN: DKIM needs .* DKIM_SELECTOR and DKIM_PRIVATE_KEY set without DKIM_DOMAIN/)

  const missing = path.join(path.dirname(file), 'nope.pem')
  const err = t.throws(() => loadConfig({ DKIM_DOMAIN: 'example.org', DKIM_SELECTOR: 'outcry', DKIM_PRIVATE_KEY: missing, MAIL_FROM: 'nobody' })) as Error
  t.type(err, ConfigError)
  t.match(err.message, `DKIM_PRIVATE_KEY: cannot read ${missing} (no such file); make one with npm run dkim:keygen`)
  t.match(err.message, 'MAIL_FROM', 'with the other errors')
  t.throws(() => loadConfig({ DKIM_DOMAIN: 'example.org', DKIM_SELECTOR: 'outcry', DKIM_PRIVATE_KEY: path.dirname(file) }), /DKIM_PRIVATE_KEY: cannot read .* \(EISDIR\)/, 'a folder')
  if (process.getuid?.() !== 0) {
    const locked = keyFile(t)
    fs.chmodSync(locked, 0o000)
    t.throws(() => loadConfig({ DKIM_DOMAIN: 'example.org', DKIM_SELECTOR: 'outcry', DKIM_PRIVATE_KEY: locked }), /permission denied/)
  }
  t.throws(() => loadConfig({ DKIM_DOMAIN: 'example.org', DKIM_SELECTOR: 'outcry', DKIM_PRIVATE_KEY: keyFile(t, 'rsa', 'v=DKIM1; k=rsa; p=MIIB') }), /DKIM_PRIVATE_KEY: .* is not a PEM private key/)
  t.throws(() => loadConfig({ DKIM_DOMAIN: 'example.org', DKIM_SELECTOR: 'outcry', DKIM_PRIVATE_KEY: keyFile(t, 'ed25519') }), /holds a ed25519 key; DKIM signing here takes an RSA key/)
  t.throws(() => loadConfig({ DKIM_DOMAIN: 'not a domain', DKIM_SELECTOR: 'out cry', DKIM_PRIVATE_KEY: file }), /DKIM_DOMAIN must be a domain name[\s\S]*DKIM_SELECTOR must be a DNS label/)
})

t.test('DKIM: a MAIL_FROM outside DKIM_DOMAIN is a warning with advice', async (t) => {
  const dkim = { domain: 'example.org', selector: 'outcry', privateKey: '' }
  t.equal(dkimAlignmentWarning({ mailFrom: 'outcry@example.org' }), null, 'nothing signed, nothing to align')
  t.equal(dkimAlignmentWarning({ mailFrom: 'outcry@example.org', dkim }), null)
  t.equal(dkimAlignmentWarning({ mailFrom: 'outcry@Campaigns.Example.org', dkim }), null, 'a subdomain aligns (relaxed)')
  t.equal(dkimAlignmentWarning({ mailFrom: 'outcry@example.org', dkim: { ...dkim, domain: 'mail.example.org' } }), null, 'and the other way round')
  const warning = dkimAlignmentWarning({ mailFrom: 'outcry@union.example', dkim })
  t.match(warning, "MAIL_FROM's domain union.example is not DKIM_DOMAIN example.org")
  t.match(warning, /DMARC/)
  t.match(warning, /SPF for union\.example/)
  t.match(warning, 'DKIM_DOMAIN=union.example')
  t.notMatch(warning, '@', 'no address in the log line')
  t.not(dkimAlignmentWarning({ mailFrom: 'outcry@notexample.org', dkim }), null, 'a longer name is not a subdomain')
})

const root = fileURLToPath(new URL('..', import.meta.url))
const serverEnv = (extra: Record<string, string>) => ({ ...process.env, NODE_ENV: 'test', PORT: '0', DISPATCHER: 'off', LOG_LEVEL: 'info', ...extra })

t.test('start-up: a missing DKIM key stops the server with a plain message', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outcry-dkim-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: serverEnv({ DATABASE_PATH: path.join(dir, 'outcry.db'), DKIM_DOMAIN: 'example.org', DKIM_SELECTOR: 'outcry', DKIM_PRIVATE_KEY: path.join(dir, 'missing.pem') }),
    encoding: 'utf8',
    timeout: 60_000,
  })
  t.equal(run.status, 1)
  t.match(run.stderr, 'Invalid configuration:')
  t.match(run.stderr, `DKIM_PRIVATE_KEY: cannot read ${path.join(dir, 'missing.pem')} (no such file)`)
  t.notMatch(run.stderr, /^\s+at /m, 'no stack trace')
})

t.test('start-up: a MAIL_FROM that does not align with DKIM_DOMAIN is logged as a warning', async (t) => {
  const file = keyFile(t)
  const dir = path.dirname(file)
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: serverEnv({ DATABASE_PATH: path.join(dir, 'outcry.db'), DKIM_DOMAIN: 'example.org', DKIM_SELECTOR: 'outcry', DKIM_PRIVATE_KEY: file, MAIL_FROM: 'outcry@union.example' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const warned = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 60_000)
    const look = (chunk: Buffer) => {
      out += chunk.toString('utf8')
      if (/is not DKIM_DOMAIN/.test(out)) {
        clearTimeout(timer)
        resolve(true)
      }
    }
    child.stdout.on('data', look)
    child.stderr.on('data', look)
    child.on('exit', () => resolve(/is not DKIM_DOMAIN/.test(out)))
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  if (child.exitCode === null) child.kill('SIGTERM')
  await exited.catch(() => {})
  t.ok(warned, 'warned')
  const line = out.split('\n').find((l) => l.includes('is not DKIM_DOMAIN'))!
  t.equal(JSON.parse(line).level, 40, 'at warn level')
  t.match(line, /SPF/)
  t.match(line, /DMARC/)
})

t.test('BOUNCE_DOMAIN: optional, a domain name, kept in lower case', async (t) => {
  t.equal(loadConfig({}).bounceDomain, undefined, 'unset by default: the envelope sender is MAIL_FROM')
  t.equal(loadConfig({ BOUNCE_DOMAIN: 'Bounces.Outcry.Example.org' }).bounceDomain, 'bounces.outcry.example.org')
  for (const bad of ['bounces+1@example.org', 'localhost', 'example..org', 'http://example.org']) {
    const err = t.throws(() => loadConfig({ BOUNCE_DOMAIN: bad }), bad) as Error
    t.type(err, ConfigError)
    t.match(err.message, 'BOUNCE_DOMAIN: BOUNCE_DOMAIN must be a domain name')
  }
})
