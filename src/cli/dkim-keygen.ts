// npm run dkim:keygen -- --domain example.org --selector outcry [--out data/dkim-outcry.pem]
// Makes an RSA 2048 DKIM key, writes the private key (PEM, mode 600) to --out, which it never
// overwrites, and prints the DNS TXT record to publish and the settings that use the key.
// Exit codes: 0 done, 1 refused (the file exists or cannot be written), 2 bad arguments.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i
const SELECTOR = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i

export interface DkimKeyPair {
  /** PKCS#8 PEM: what DKIM_PRIVATE_KEY points at. */
  privateKey: string
  /** The TXT record's value: v=DKIM1; k=rsa; p=<the public key, base64 SubjectPublicKeyInfo>. */
  txt: string
}

export function generateDkimKey(): DkimKeyPair {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  })
  return { privateKey, txt: `v=DKIM1; k=rsa; p=${publicKey.toString('base64')}` }
}

/** The name to publish the record at. */
export const dkimRecordName = (selector: string, domain: string) => `${selector}._domainkey.${domain}`

/** A zone-file line: strings of at most 255 characters each, as DNS requires. */
export function zoneLine(name: string, txt: string): string {
  const parts = txt.match(/.{1,250}/g) ?? []
  return `${name}. 3600 IN TXT ( ${parts.map((p) => `"${p}"`).join('\n    ')} )`
}

function main(): void {
  const usage = 'Usage: npm run dkim:keygen -- --domain example.org --selector outcry [--out data/dkim-<selector>.pem]'
  const fail = (message: string, code = 2): never => {
    console.error(message)
    process.exit(code)
  }
  let values: { domain?: string; selector?: string; out?: string } = {}
  try {
    values = parseArgs({ options: { domain: { type: 'string' }, selector: { type: 'string' }, out: { type: 'string' } } }).values
  } catch (err) {
    fail(`${err instanceof Error ? err.message : String(err)}\n${usage}`)
  }
  const domain = values.domain?.trim().toLowerCase().replace(/\.$/, '') ?? ''
  const selector = values.selector?.trim().toLowerCase() ?? ''
  if (!DOMAIN.test(domain)) fail(`--domain must be the domain you send from, such as example.org.\n${usage}`)
  if (!SELECTOR.test(selector)) fail(`--selector must be one DNS label (letters, digits, dashes), such as outcry or mail2026.\n${usage}`)
  const out = values.out ?? path.join('data', `dkim-${selector}.pem`)

  const key = generateDkimKey()
  try {
    fs.mkdirSync(path.dirname(out), { recursive: true })
    // 'wx': never replace a key that may already be published.
    fs.writeFileSync(out, key.privateKey, { flag: 'wx', mode: 0o600 })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    fail(code === 'EEXIST' ? `${out} exists already: not overwritten. Pick another --out, or another --selector to rotate keys.` : `Cannot write ${out}: ${err instanceof Error ? err.message : String(err)}`, 1)
  }
  const name = dkimRecordName(selector, domain)
  console.log(`Private key written to ${out} (keep it secret; mode 600).`)
  console.log('')
  console.log(`Publish this DNS TXT record at ${name}:`)
  console.log('')
  console.log(key.txt)
  console.log('')
  console.log('In a zone file:')
  console.log(zoneLine(name, key.txt))
  console.log('')
  console.log('Then set:')
  console.log(`DKIM_DOMAIN=${domain}`)
  console.log(`DKIM_SELECTOR=${selector}`)
  console.log(`DKIM_PRIVATE_KEY=${path.resolve(out)}`)
  console.log(`and send from an address at ${domain} (MAIL_FROM), so the signature aligns for DMARC.`)
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main()
