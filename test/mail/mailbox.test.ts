import t from 'tap'
import { build } from '../helper.js'
import { isLoopback } from '../../src/mail/mailbox-routes.js'

t.test('the captured mailbox answers only loopback clients, whatever X-Forwarded-For says', async (t) => {
  const app = await build(t, { env: { TRUST_PROXY: '10.0.0.0/8' } })
  const res = await app.inject({ method: 'POST', url: '/api/campaigns/zhanaozen/letters', headers: { 'content-type': 'application/json' }, payload: { name: 'Ann Lee', email: 'ann@example.org', country: 'GB', city: 'Leeds', targetId: 1 } })
  t.equal(res.statusCode, 201)
  await app.dispatcher.drain()
  const id = app.db.$client.prepare('select id from captured_mail order by id limit 1').pluck().get() as number
  t.ok(id, 'a mail was captured')

  const urls = ['/dev/mailbox', `/dev/mailbox/${id}`, `/dev/mailbox/${id}/html`, `/dev/mailbox/${id}/raw`]
  for (const url of urls) {
    t.equal((await app.inject({ url, remoteAddress: '127.0.0.1' })).statusCode, 200, `${url} from 127.0.0.1`)
    t.equal((await app.inject({ url, remoteAddress: '::1' })).statusCode, 200, `${url} from ::1`)
    const away = await app.inject({ url, remoteAddress: '203.0.113.7' })
    t.equal(away.statusCode, 404, `${url} from elsewhere`)
    t.notMatch(away.body, 'ann@example.org')
    // A trusted proxy may say the client is local: the socket's own address decides.
    t.equal((await app.inject({ url, remoteAddress: '10.1.2.3', headers: { 'x-forwarded-for': '127.0.0.1' } })).statusCode, 404, `${url} through a proxy claiming a local client`)
    // A proxy on this machine serves whoever reaches it: a proxied request is refused even from the loopback.
    t.equal((await app.inject({ url, remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '198.51.100.9' } })).statusCode, 404, `${url} through a local proxy`)
    t.equal((await app.inject({ url, remoteAddress: '127.0.0.1', headers: { forwarded: 'for=198.51.100.9' } })).statusCode, 404, `${url} with Forwarded`)
  }
})

t.test('loopback addresses', async (t) => {
  for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) t.ok(isLoopback(a), a)
  for (const a of ['10.0.0.1', '::ffff:10.0.0.1', '128.0.0.1', '1127.0.0.1', '::2', '', undefined]) t.notOk(isLoopback(a), String(a))
})
