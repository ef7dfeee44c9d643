import t from 'tap'
import { loadConfig, ConfigError } from '../src/config.js'

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
