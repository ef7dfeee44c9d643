import type { Config } from '../config.js'

/** What every mail builder needs to know about us. */
export interface MailSettings {
  from: string
  fromName: string
  baseUrl: string
  /** Right-hand side of our Message-IDs: the domain we send from. */
  domain: string
}

export function mailSettings(config: Config): MailSettings {
  return { from: config.mailFrom, fromName: config.mailFromName, baseUrl: config.baseUrl, domain: config.mailFrom.split('@')[1]! }
}
