import Handlebars from 'handlebars'

/**
 * Appeals are written by organizers, so they run in a Handlebars of their own:
 * only the block helpers below, no prototype access, and supporter text only ever as data.
 */
const ALLOWED_HELPERS = ['if', 'unless', 'each', 'with'] as const
const appealHbs = Handlebars.create()
for (const name of Object.keys(appealHbs.helpers)) {
  if (!(ALLOWED_HELPERS as readonly string[]).includes(name) && name !== 'helperMissing' && name !== 'blockHelperMissing') {
    appealHbs.unregisterHelper(name)
  }
}

const compileOptions: CompileOptions = {
  // The appeal is plain text; the HTML part escapes it as a whole later.
  noEscape: true,
  // Handlebars' compiler knows `log` and `lookup` by default: switch them off explicitly.
  knownHelpers: { ...Object.fromEntries(ALLOWED_HELPERS.map((h) => [h, true])), log: false, lookup: false, helperMissing: false, blockHelperMissing: false },
  knownHelpersOnly: true,
  preventIndent: true,
}

const runtimeOptions: Handlebars.RuntimeOptions = {
  allowProtoPropertiesByDefault: false,
  allowProtoMethodsByDefault: false,
  allowedProtoProperties: {},
  allowedProtoMethods: {},
  helpers: {},
  partials: {},
}

type CompileOptions = Parameters<typeof Handlebars.compile>[1]

export interface AppealContext {
  supporter: { name: string; city: string; country: string; countryCode: string; organisation: string }
  target: { name: string; title: string; organisation: string; country: string; postalAddress: string }
  campaign: { title: string; url: string }
  date: string
  note: string
}

export interface CompiledAppeal {
  subject: HandlebarsTemplateDelegate
  body: HandlebarsTemplateDelegate
}

export class AppealTemplateError extends Error {
  override name = 'AppealTemplateError'
}

export function compileAppeal(subject: string, body: string): CompiledAppeal {
  try {
    const compiled = {
      subject: appealHbs.compile(subject, compileOptions),
      body: appealHbs.compile(body, compileOptions),
    }
    // Handlebars compiles lazily: force both now so errors surface at save time.
    renderAppeal(compiled, sampleContext())
    return compiled
  } catch (err) {
    throw new AppealTemplateError(err instanceof Error ? err.message : String(err))
  }
}

export function renderAppeal(appeal: CompiledAppeal, context: AppealContext): { subject: string; body: string } {
  const subject = appeal.subject(context, runtimeOptions).replace(/[\r\n\t]+/g, ' ').replace(/\s{2,}/g, ' ').trim()
  const body = appeal.body(context, runtimeOptions).replace(/\r\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim()
  return { subject, body }
}

export function sampleContext(): AppealContext {
  return {
    supporter: { name: 'Sample Supporter', city: 'Manchester', country: 'United Kingdom', countryCode: 'GB', organisation: 'Unite' },
    target: { name: 'Official', title: 'Title', organisation: 'Office', country: 'Kazakhstan', postalAddress: 'Address' },
    campaign: { title: 'Campaign', url: 'https://example.org/campaigns/sample' },
    date: '1 January 2026',
    note: 'A personal note.',
  }
}

/** Compiled appeals keyed by template id and version: compile once, render many. */
export class AppealCache {
  private cache = new Map<string, CompiledAppeal>()
  get(template: { id: number; updatedAt: Date; subject: string; body: string }): CompiledAppeal {
    const key = `${template.id}:${template.updatedAt.getTime()}`
    let compiled = this.cache.get(key)
    if (!compiled) {
      compiled = compileAppeal(template.subject, template.body)
      if (this.cache.size > 500) this.cache.clear()
      this.cache.set(key, compiled)
    }
    return compiled
  }
}
