import crypto from 'node:crypto'
import type { Config } from '../config.js'

/** What every mail builder needs to know about us. */
export interface MailSettings {
  from: string
  fromName: string
  /** Where officials' replies go when the supporter did not share their address. */
  replyTo: string
  baseUrl: string
  /** Right-hand side of our Message-IDs: the domain we send from. */
  domain: string
  /** Key for the keyed hashes of addresses (the anonymous-mail cap); derived, never the session secret itself. */
  addressKey: Buffer
}

export function mailSettings(config: Config): MailSettings {
  return {
    from: config.mailFrom,
    fromName: config.mailFromName,
    replyTo: config.replyTo,
    baseUrl: config.baseUrl,
    domain: config.mailFrom.split('@')[1]!,
    addressKey: crypto.createHmac('sha256', config.sessionSecret).update('outcry:address-key').digest(),
  }
}
