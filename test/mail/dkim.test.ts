import { execFile } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { simpleParser } from 'mailparser'
// The sub-path: mailauth's top-level module pulls in more than DKIM (and newer majors need Node 22).
import { dkimVerify } from 'mailauth/lib/dkim/verify.js'
import { sendEveryKind, DKIM_DOMAIN, DKIM_SELECTOR, type SentMail } from './every-kind.js'
import { build, tempDir } from '../helper.js'
import { loadConfig } from '../../src/config.js'
import { captureMailer, smtpMailer } from '../../src/mail/transport.js'
import type { OutboxMessage } from '../../src/db/schema/index.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

/** DNS as the receiver sees it: our selector's TXT record, nothing else (no network). */
const resolverFor = (txt: string) => async (name: string, rrtype: string) => {
  if (rrtype === 'TXT' && name.toLowerCase() === `${DKIM_SELECTOR}._domainkey.${DKIM_DOMAIN}`) return [[txt]]
  throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' })
}

async function verify(raw: string, txt: string) {
  const result = await dkimVerify(Buffer.from(raw), { resolver: resolverFor(txt) as never })
  return result.results
}

const header = (raw: string, name: string) => {
  const head = raw.slice(0, raw.search(/\r?\n\r?\n/)).replace(/\r?\n[ \t]+/g, ' ')
  return head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))?.slice(name.length + 1).trim()
}

/** The h= list of the message's DKIM signature, lowercased. */
const signedFields = (raw: string) => (/\bh=([^;]+)/.exec(header(raw, 'DKIM-Signature') ?? '')?.[1] ?? '').replace(/\s+/g, '').toLowerCase().split(':')

let every: { mails: SentMail[]; txt: string }
t.before(async () => {
  every = await sendEveryKind(t)
})

t.test('every kind of mail is sent, and each carries a DKIM signature that verifies against the published key', async (t) => {
  const kinds = new Set(every.mails.map((m) => m.kind))
  for (const kind of ['confirm', 'letter', 'letter-copy', 'already-written', 'rsvp-confirm', 'rsvp-going', 'picket-reminder', 'picket-changed', 'picket-cancelled', 'invitation']) {
    t.ok(kinds.has(kind), `a ${kind} mail was sent`)
  }
  for (const mail of every.mails) {
    const [result, ...more] = await verify(mail.raw, every.txt)
    t.equal(more.length, 0, `${mail.kind}: one signature`)
    t.equal(result?.status.result, 'pass', `${mail.kind} (${mail.label}): ${result?.status.comment ?? ''}`)
    t.equal(result?.signingDomain, DKIM_DOMAIN)
    t.equal(result?.selector, DKIM_SELECTOR)
    t.equal(result?.status.aligned, DKIM_DOMAIN, `${mail.kind}: aligned with the From domain (DMARC)`)
    const fields = signedFields(mail.raw)
    for (const name of ['from', 'to', 'subject', 'date', 'message-id', 'content-type']) t.ok(fields.includes(name), `${mail.kind}: ${name} signed`)
    for (const name of ['list-unsubscribe', 'list-unsubscribe-post', 'auto-submitted', 'reply-to']) {
      if (header(mail.raw, name)) t.ok(fields.includes(name), `${mail.kind}: ${name} present and signed`)
    }
  }
  const reminder = every.mails.find((m) => m.kind === 'picket-reminder')!
  t.ok(header(reminder.raw, 'List-Unsubscribe-Post'), 'a picket reminder has the one-click unsubscribe pair')
  // Only where unsubscribing stops that kind of mail: going, changed and cancelled notices are transactional.
  for (const kind of ['rsvp-going', 'picket-changed', 'picket-cancelled']) t.notOk(header(every.mails.find((m) => m.kind === kind)!.raw, 'List-Unsubscribe'), `${kind}: no List-Unsubscribe`)
})

t.test('a signature fails once the message is changed on the way: a header it covers, or the body', async (t) => {
  const mail = every.mails.find((m) => m.kind === 'picket-reminder')!
  const forged = [
    mail.raw.replace(/^Subject: .*$/m, 'Subject: Win a prize'),
    // The first occurrence of the link is in the header, before the body.
    mail.raw.replace(/(List-Unsubscribe:\s*<)http:\/\/outcry\.test\//, '$1https://evil.example/'),
    mail.raw.replace(/^List-Unsubscribe-Post: .*$/m, 'List-Unsubscribe-Post: List-Unsubscribe=Never'),
    mail.raw.replace(/\r?\n\r?\n/, '\r\nAuto-Submitted: no\r\n\r\n').replace(/^Auto-Submitted: auto-generated\r?\n/m, ''),
    mail.raw.replace('A reminder of where and when', 'A reminder of when and where'),
  ]
  for (const [i, raw] of forged.entries()) {
    t.not(raw, mail.raw, `forgery ${i} changes the message`)
    const result = (await verify(raw, every.txt))[0]?.status
    // mailauth says "neutral" for a body that does not match its hash, "fail" for a bad header signature.
    t.not(result?.result, 'pass', `forgery ${i} does not verify: ${result?.result} (${result?.comment ?? ''})`)
  }
  const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'der' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })
  t.equal((await verify(mail.raw, `v=DKIM1; k=rsa; p=${other.publicKey.toString('base64')}`))[0]?.status.result, 'fail', 'another key does not verify it')
})

t.test('Auto-Submitted: auto-generated on every automatic mail, none on the letter to an official', async (t) => {
  for (const mail of every.mails) {
    if (mail.kind === 'letter') t.equal(header(mail.raw, 'Auto-Submitted'), undefined, `letter (${mail.label}): a person's letter`)
    else t.equal(header(mail.raw, 'Auto-Submitted'), 'auto-generated', `${mail.kind} (${mail.label})`)
  }
})

t.test("HTML parts have a <title> and the language of their words: the letter's own for a letter, the supporter's for mail to them", async (t) => {
  for (const mail of every.mails) {
    const parsed = await simpleParser(mail.raw)
    const html = String(parsed.html)
    const title = /<title>([^<]*)<\/title>/.exec(html)?.[1]
    t.ok(title && title.trim().length > 0, `${mail.kind}: a title (${title})`)
    const lang = /<html lang="([^"]+)">/.exec(html)?.[1]
    // Every mail to a Russian supporter is in Russian; the digest in its official's (the Prosecutor General reads Russian).
    const russian = mail.label.includes(', ru')
    const expected = russian || mail.kind === 'digest' ? 'ru' : 'en'
    t.equal(lang, expected, `${mail.kind} (${mail.label}): lang`)
    t.equal(header(mail.raw, 'Content-Language'), expected, `${mail.kind} (${mail.label}): Content-Language`)
  }
  const ru = every.mails.find((m) => m.kind === 'letter' && m.label.includes(', ru'))!
  const parsed = await simpleParser(ru.raw)
  t.match(String(parsed.html), '<title>Освободите нефтяников Жанаозена</title>')
  t.match(parsed.text, 'Письмо отправлено через Outcry', 'our footer in the letter\'s language')
  t.notMatch(parsed.text, 'Sent through Outcry')
  const en = await simpleParser(every.mails.find((m) => m.kind === 'letter' && m.label === 'gmail.com, en')!.raw)
  t.match(String(en.html), '<title>Free the Zhanaozen oil workers</title>')
  t.notMatch(en.text, 'Reply to this message', 'no promise of a direct answer when the supporter did not share their address')
  const shared = await simpleParser(every.mails.find((m) => m.kind === 'letter' && m.label === 'gmail.com, en, shares address')!.raw)
  t.match(shared.text, 'Reply to this message to answer John Smith directly.')
})

t.test('without DKIM settings nothing is signed', async (t) => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/api/campaigns/zhanaozen/letters', headers: { 'content-type': 'application/json' }, payload: { name: 'Roza T.', email: 'roza@example.com', country: 'GB', city: 'Leeds', targetId: 1 } })
  await app.dispatcher.drain()
  const raw = (app.db.$client.prepare('select raw from captured_mail').get() as { raw: string }).raw
  t.equal(header(raw, 'DKIM-Signature'), undefined)
})

t.test('both mailers sign with the key they are given (capture and SMTP)', async (t) => {
  const dir = tempDir(t)
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'der' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })
  fs.writeFileSync(path.join(dir, 'k.pem'), privateKey)
  const message: OutboxMessage = { from: { name: 'Outcry', address: 'outcry@outcry.test' }, to: { address: 'a@example.com' }, subject: 'Hello', text: 'Hi\n', html: '<p>Hi</p>', messageId: '<x.1@outcry.test>' }
  const dkim = { domain: DKIM_DOMAIN, selector: DKIM_SELECTOR, privateKey }
  const capture = captureMailer({ dkim })
  const { raw } = await capture.send(message, { kind: 'confirm_letter' })
  capture.close()
  const [result] = await verify(raw!, `v=DKIM1; k=rsa; p=${publicKey.toString('base64')}`)
  t.equal(result?.status.result, 'pass')
  t.equal(header(raw!, 'Auto-Submitted'), 'auto-generated')
  t.type(smtpMailer('smtp://127.0.0.1:1', { dkim }).send, 'function')
})

t.test('npm run dkim:keygen writes a key once and prints the TXT record that verifies its signatures', async (t) => {
  const exec = promisify(execFile)
  // tsx by its path: one of the runs is from a folder with no node_modules.
  const run = (_npx: string, args: string[], opts: { cwd: string }) => exec(path.join(root, 'node_modules/.bin/tsx'), args.slice(1), opts)
  const dir = tempDir(t)
  const out = path.join(dir, 'keys', 'outcry.pem')
  const args = ['tsx', 'src/cli/dkim-keygen.ts', '--domain', 'Outcry.TEST', '--selector', 'check', '--out', out]
  const { stdout } = await run('npx', args, { cwd: root })
  t.equal(fs.statSync(out).mode & 0o777, 0o600, 'only the owner reads the key')
  t.match(stdout, `Publish this DNS TXT record at check._domainkey.outcry.test`)
  const txt = /^(v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]+)$/m.exec(stdout)?.[1]
  t.ok(txt, 'the record, on one line')
  t.match(stdout, /check\._domainkey\.outcry\.test\. 3600 IN TXT \( "v=DKIM1; k=rsa; p=/)
  t.match(stdout, `DKIM_PRIVATE_KEY=${out}`)

  // The key it wrote loads as config and signs mail that its record verifies.
  const config = loadConfig({ DKIM_DOMAIN: 'outcry.test', DKIM_SELECTOR: 'check', DKIM_PRIVATE_KEY: out, MAIL_FROM: 'outcry@outcry.test' })
  t.equal(crypto.createPrivateKey(config.dkim!.privateKey).asymmetricKeyDetails?.modulusLength, 2048)
  const capture = captureMailer({ dkim: config.dkim })
  const { raw } = await capture.send({ from: { name: 'Outcry', address: 'outcry@outcry.test' }, to: { address: 'a@example.com' }, subject: 'Hi', text: 'Hi\n', html: '<p>Hi</p>', messageId: '<k.1@outcry.test>' })
  capture.close()
  t.equal((await verify(raw!, txt!))[0]?.status.result, 'pass')

  const before = fs.readFileSync(out, 'utf8')
  const again = await run('npx', args, { cwd: root }).then(() => null, (err: { code: number; stderr: string }) => err)
  t.equal(again?.code, 1, 'refuses to overwrite')
  t.match(again?.stderr, 'exists already: not overwritten')
  t.equal(fs.readFileSync(out, 'utf8'), before, 'the key is untouched')

  const bad = await run('npx', ['tsx', 'src/cli/dkim-keygen.ts', '--domain', 'not a domain', '--selector', 'x'], { cwd: root }).then(() => null, (err: { code: number; stderr: string }) => err)
  t.equal(bad?.code, 2)
  t.match(bad?.stderr, '--domain must be')
  const defaultOut = await run('npx', ['tsx', path.join(root, 'src/cli/dkim-keygen.ts'), '--domain', 'example.org', '--selector', 'mail2026'], { cwd: dir })
  t.match(defaultOut.stdout, 'Private key written to data/dkim-mail2026.pem')
  t.ok(fs.existsSync(path.join(dir, 'data', 'dkim-mail2026.pem')), 'data/dkim-<selector>.pem by default')
})
