import Handlebars from 'handlebars'
import type { TFunction } from 'i18next'
import { targetTexts, type Target } from '../db/schema/index.js'
import { countryName } from '../countries.js'
import { localize } from '../i18n/content.js'
import { dateLocale, isLanguage, translator, type Language } from '../i18n/index.js'

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
  target: { name: string; title: string; salutation: string; organisation: string; country: string; postalAddress: string }
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

/** The longest letter Outcry renders; a template that could go past it with a supporter's longest answers is refused at save. */
export const MAX_LETTER_CHARS = 50_000
/** A subject is one header line: a longer one is cut. */
export const MAX_SUBJECT_CHARS = 1_000

export function renderAppeal(appeal: CompiledAppeal, context: AppealContext): { subject: string; body: string } {
  const subject = cap(appeal.subject(context, runtimeOptions).replace(/[\r\n\t]+/g, ' ').replace(/\s{2,}/g, ' ').trim(), MAX_SUBJECT_CHARS)
  const body = cap(appeal.body(context, runtimeOptions).replace(/\r\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim(), MAX_LETTER_CHARS)
  return { subject, body }
}

/** Cut at the cap (a template saved before the cap existed may still go past it). */
function cap(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/** The raw length of a render, before any cap: what the save-time check measures. */
function renderedLength(appeal: CompiledAppeal, context: AppealContext): { subject: number; body: number } {
  return { subject: appeal.subject(context, runtimeOptions).length, body: appeal.body(context, runtimeOptions).length }
}

export function sampleContext(): AppealContext {
  return {
    supporter: { name: 'Sample Supporter', city: 'Manchester', country: 'United Kingdom', countryCode: 'GB', organisation: 'Unite' },
    target: { name: 'Official', title: 'Title', salutation: 'Dear Official,', organisation: 'Office', country: 'Kazakhstan', postalAddress: 'Address' },
    campaign: { title: 'Campaign', url: 'https://example.org/campaigns/sample' },
    date: '1 January 2026',
    note: 'A personal note.',
  }
}

/** The longest note a supporter may add (letters/input.ts). */
export const LONGEST_NOTE = 2_000

/**
 * The sample at its longest: every field as long as the forms allow (supporter's name 100, city 100,
 * organisation 150, note 2,000 as in letters/input.ts; the official's fields as in targetInput; a
 * campaign title of 200). A template whose render of this stays under MAX_LETTER_CHARS stays under it
 * for any letter.
 */
export function longestContext(): AppealContext {
  const fill = (n: number) => 'x'.repeat(n)
  return {
    supporter: { name: fill(100), city: fill(100), country: fill(100), countryCode: 'GB', organisation: fill(150) },
    target: { name: fill(150), title: fill(200), salutation: fill(200), organisation: fill(200), country: fill(100), postalAddress: fill(1000) },
    campaign: { title: fill(200), url: `https://${fill(300)}` },
    date: fill(40),
    note: fill(LONGEST_NOTE),
  }
}

/** Compiled appeals keyed by template id and version: compile once, render many. */
export class AppealCache {
  // By the template's text itself: a change made without touching updated_at (a script, a restore) still counts.
  private cache = new Map<string, CompiledAppeal>()
  get(template: { id: number; subject: string; body: string }): CompiledAppeal {
    const key = `${template.id}\u0000${template.subject}\u0000${template.body}`
    let compiled = this.cache.get(key)
    if (!compiled) {
      compiled = compileAppeal(template.subject, template.body)
      if (this.cache.size > 500) this.cache.clear()
      this.cache.set(key, compiled)
    }
    return compiled
  }
}

/** Every placeholder an appeal may use, in the order organizers see them: the leaves of AppealContext. */
export const APPEAL_PLACEHOLDERS: readonly string[] = (function leaves(value: object, prefix = ''): string[] {
  return Object.entries(value).flatMap(([key, v]) => (v && typeof v === 'object' ? leaves(v, `${prefix}${key}.`) : [`${prefix}${key}`]))
})(sampleContext())

/** The groups organizers see the placeholders in: the supporter, the official, the campaign, and the letter's own (date, note). */
export type PlaceholderGroup = 'supporter' | 'target' | 'campaign' | 'letter'

/** APPEAL_PLACEHOLDERS by group, in the same order: the editor's buttons. */
export const APPEAL_PLACEHOLDER_GROUPS: readonly { group: PlaceholderGroup; placeholders: readonly string[] }[] = (() => {
  const groups = new Map<PlaceholderGroup, string[]>()
  for (const p of APPEAL_PLACEHOLDERS) {
    const group = (p.includes('.') ? p.split('.')[0] : 'letter') as PlaceholderGroup
    groups.set(group, [...(groups.get(group) ?? []), p])
  }
  return [...groups].map(([group, placeholders]) => ({ group, placeholders }))
})()

/** Each placeholder's plain name in the catalog, written out so the catalog check sees every key (a test checks none is missing). */
const PLACEHOLDER_NAMES: Record<string, (t: TFunction) => string> = {
  'supporter.name': (t) => t('adminTemplates.placeholder.supporter.name'),
  'supporter.city': (t) => t('adminTemplates.placeholder.supporter.city'),
  'supporter.country': (t) => t('adminTemplates.placeholder.supporter.country'),
  'supporter.countryCode': (t) => t('adminTemplates.placeholder.supporter.countryCode'),
  'supporter.organisation': (t) => t('adminTemplates.placeholder.supporter.organisation'),
  'target.name': (t) => t('adminTemplates.placeholder.target.name'),
  'target.title': (t) => t('adminTemplates.placeholder.target.title'),
  'target.salutation': (t) => t('adminTemplates.placeholder.target.salutation'),
  'target.organisation': (t) => t('adminTemplates.placeholder.target.organisation'),
  'target.country': (t) => t('adminTemplates.placeholder.target.country'),
  'target.postalAddress': (t) => t('adminTemplates.placeholder.target.postalAddress'),
  'campaign.title': (t) => t('adminTemplates.placeholder.campaign.title'),
  'campaign.url': (t) => t('adminTemplates.placeholder.campaign.url'),
  date: (t) => t('adminTemplates.placeholder.date'),
  note: (t) => t('adminTemplates.placeholder.note'),
}

const GROUP_NAMES: Record<PlaceholderGroup, (t: TFunction) => string> = {
  supporter: (t) => t('adminTemplates.group.supporter'),
  target: (t) => t('adminTemplates.group.target'),
  campaign: (t) => t('adminTemplates.group.campaign'),
  letter: (t) => t('adminTemplates.group.letter'),
}

/** A placeholder's plain name in the reader's language ("Supporter's city"); its Handlebars if it has none. */
export function placeholderName(placeholder: string, t: TFunction): string {
  return PLACEHOLDER_NAMES[placeholder]?.(t) ?? `{{${placeholder}}}`
}

/** A group's name in the reader's language ("The supporter"). */
export function placeholderGroupName(group: PlaceholderGroup, t: TFunction): string {
  return GROUP_NAMES[group](t)
}

/** "Supporter's city ({{supporter.city}})": the plain name, and the Handlebars for those who type it. */
function namedPlaceholder(placeholder: string, t: TFunction): string {
  return t('adminTemplates.named', { name: placeholderName(placeholder, t), code: placeholder })
}

/** Edits (insertions, deletions, substitutions) from a to b. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}

/**
 * The known placeholders an unknown one was probably meant to be: the closest by edit distance
 * (case and `_`/`-` ignored), when that is a slip of a few letters (about one in five), at most two
 * when they tie. A bare leaf counts as close to its placeholder ({{city}} → supporter.city). Empty
 * when nothing is close: {{supporter.phone}} is not a typo of anything.
 */
export function closestPlaceholders(name: string): string[] {
  const typed = name.toLowerCase().replace(/[_\-\s]/g, '')
  if (!typed || typed.length > 60) return []
  let best = Infinity
  let found: string[] = []
  for (const p of APPEAL_PLACEHOLDERS) {
    const known = p.toLowerCase()
    const leaf = known.split('.').pop()!
    const distance = Math.min(editDistance(typed, known), typed.includes('.') ? Infinity : editDistance(typed, leaf) + 1)
    if (distance < best) [best, found] = [distance, [p]]
    else if (distance === best) found.push(p)
  }
  const limit = Math.max(1, Math.floor(typed.length / 5))
  return best <= limit ? found.slice(0, 2) : []
}

/** "Did you mean Supporter's city ({{supporter.city}})?", or what to do when nothing is close. */
function suggestion(name: string, t: TFunction, lang: Language): string {
  const close = closestPlaceholders(name)
  if (close.length === 0) return t('adminTemplates.useListed')
  const list = new Intl.ListFormat(dateLocale(lang), { type: 'disjunction' }).format(close.map((p) => namedPlaceholder(p, t)))
  return t('adminTemplates.didYouMean', { suggestion: list })
}

export interface AppealIssue {
  path: ['subject' | 'body']
  message: string
}

/**
 * Checks an organizer's subject and body before they are saved: both must compile, and every
 * {{…}} must be one of APPEAL_PLACEHOLDERS (inside #if/#unless/#each/#with blocks too) with no
 * helper other than those blocks. Each field gets one message naming its problems and listing
 * the placeholders allowed, in `lang` (the back office's language; English by default). An empty
 * list means the appeal is fine.
 */
export function validateAppeal(subject: string, body: string, lang: Language = 'en'): AppealIssue[] {
  const t = translator(lang)
  const issues: AppealIssue[] = []
  // Each placeholder by its plain name and its Handlebars: "Supporter's city ({{supporter.city}})".
  const allowed = t('adminTemplates.allowed', { list: APPEAL_PLACEHOLDERS.map((p) => namedPlaceholder(p, t)).join(', ') })
  for (const [field, text] of [['subject', subject], ['body', body]] as const) {
    const problems = appealProblems(text, field, t, lang)
    if (problems.length) {
      // Each problem is a sentence or two of its own ("Line 2: … Did you mean …?").
      const shown = problems.slice(0, 5).join(' ') + (problems.length > 5 ? ` ${t('adminTemplates.more', { count: problems.length - 5 })}` : '')
      issues.push({ path: [field], message: `${shown} ${allowed}` })
    }
  }
  if (issues.length === 0) {
    // The AST is fine; compiling and rendering with sample data catches what only the runtime sees.
    let compiled: CompiledAppeal | undefined
    try {
      compiled = compileAppeal(subject, body)
    } catch (err) {
      // Handlebars' own words stay as it wrote them, inside the sentence in the reader's language.
      issues.push({ path: ['body'], message: `${t('adminTemplates.letterDoesNotCompile', { error: err instanceof Error ? err.message : String(err) })} ${allowed}` })
    }
    if (compiled) {
      // Subject and body together: one letter.
      const total = (r: { subject: number; body: number }) => r.subject + r.body
      const sample = total(renderedLength(compiled, sampleContext()))
      const longest = total(renderedLength(compiled, longestContext()))
      if (sample > MAX_LETTER_CHARS) {
        issues.push({ path: ['body'], message: t('adminTemplates.tooLong', { count: sample, max: MAX_LETTER_CHARS }) })
      } else if (longest > MAX_LETTER_CHARS) {
        issues.push({ path: ['body'], message: t('adminTemplates.canGrowTooLong', { note: LONGEST_NOTE, count: longest, max: MAX_LETTER_CHARS }) })
      }
    }
  }
  return issues
}

type HbsNode = { type: string; loc?: { start: { line: number } } } & Record<string, unknown>
type PathNode = { type: 'PathExpression'; data: boolean; depth: number; parts: string[]; original: string; loc?: { start: { line: number } } }
/** What an expression points at: a place in the context, or an opaque value (an #each item, key or index). */
type Ref = { kind: 'path'; parts: string[] } | { kind: 'value' }
interface Scope {
  context: Ref
  /** Context-changing blocks (#with, #each) push a scope that `../` climbs out of; #if/#unless do not. */
  changesContext: boolean
  inEach: boolean
  blockParams: Map<string, Ref>
}

const GROUPS = new Set(APPEAL_PLACEHOLDERS.filter((p) => p.includes('.')).map((p) => p.split('.')[0]!))
const PLACEHOLDER_SET = new Set(APPEAL_PLACEHOLDERS)
const EACH_DATA = new Set(['index', 'key', 'first', 'last'])

function appealProblems(text: string, field: 'subject' | 'body', t: TFunction, lang: Language): string[] {
  let ast: { body: HbsNode[] }
  try {
    ast = Handlebars.parse(text) as unknown as { body: HbsNode[] }
  } catch (err) {
    const reason = describeParseError(err, t)
    return [field === 'subject' ? t('adminTemplates.subjectDoesNotCompile', { reason }) : t('adminTemplates.bodyDoesNotCompile', { reason })]
  }
  const problems: string[] = []
  const seen = new Set<string>()
  // "Delete it, or use one of the placeholders listed below" is said once; a suggestion each time.
  const useListed = ` ${t('adminTemplates.useListed')}`
  let toldToUseList = false
  const report = (message: string, node?: { loc?: { start: { line: number } } }) => {
    const line = node?.loc?.start.line
    if (seen.has(message)) return
    seen.add(message)
    let problem = message
    if (problem.endsWith(useListed)) {
      if (toldToUseList) problem = problem.slice(0, -useListed.length)
      toldToUseList = true
    }
    problems.push(line ? t('adminTemplates.atLine', { problem, line }) : problem)
  }
  const root: Scope = { context: { kind: 'path', parts: [] }, changesContext: true, inEach: false, blockParams: new Map() }

  const resolve = (path: PathNode, stack: Scope[]): Ref | null => {
    if (path.data) {
      const [name, ...rest] = path.parts
      if (name === 'root') return lookup({ kind: 'path', parts: [] }, rest)
      if (stack.some((s) => s.inEach) && name && EACH_DATA.has(name) && rest.length === 0) return { kind: 'value' }
      return null
    }
    if (path.depth === 0 && path.parts.length > 0) {
      for (let i = stack.length - 1; i >= 0; i--) {
        const param = stack[i]!.blockParams.get(path.parts[0]!)
        if (param) return lookup(param, path.parts.slice(1))
      }
    }
    const contexts = stack.filter((s) => s.changesContext)
    const scope = contexts[contexts.length - 1 - path.depth]
    if (!scope) return null
    return lookup(scope.context, path.parts)
  }

  const lookup = (base: Ref, rest: string[]): Ref | null => {
    if (base.kind === 'value') return rest.length === 0 ? base : null
    const parts = [...base.parts, ...rest]
    const key = parts.join('.')
    if (PLACEHOLDER_SET.has(key)) return { kind: 'path', parts }
    if (parts.length === 0 || (parts.length === 1 && GROUPS.has(parts[0]!))) return { kind: 'path', parts }
    return null
  }

  /** "supporter.phone" when a relative path inside #with means something longer. */
  const fullName = (path: PathNode, stack: Scope[]): string => {
    if (path.data || path.depth > 0) return ''
    const contexts = stack.filter((s) => s.changesContext)
    const base = contexts[contexts.length - 1]?.context
    if (!base || base.kind !== 'path' || base.parts.length === 0) return ''
    return [...base.parts, ...path.parts].join('.')
  }

  /**
   * "'{{suporter.city}}' is not a placeholder Outcry knows. Did you mean Supporter's city ({{supporter.city}})?",
   * "'{{phone}}' means supporter.phone here, …" inside #with, "'{{#if supporter.phone}}': …" for a block's parameter;
   * then the closest known placeholder, or what to do when none is close.
   */
  const unknown = (name: string, meaning: string, block?: string): string => {
    const problem = block
      ? meaning
        ? t('adminTemplates.unknownInBlockMeaning', { name, meaning, block })
        : t('adminTemplates.unknownInBlock', { name, block })
      : meaning
        ? t('adminTemplates.unknownMeaning', { name, meaning })
        : t('adminTemplates.unknown', { name })
    return `${problem} ${suggestion(meaning || name, t, lang)}`
  }

  const isLeaf = (ref: Ref) => ref.kind === 'value' || PLACEHOLDER_SET.has(ref.parts.join('.'))

  const literalText = (node: HbsNode) => String(node.original ?? node.value ?? node.type)

  const visitProgram = (program: { body: HbsNode[] } | null | undefined, stack: Scope[]) => {
    for (const node of program?.body ?? []) visit(node, stack)
  }

  const checkParam = (param: HbsNode, stack: Scope[], helper: string): Ref | null => {
    if (param.type === 'PathExpression') {
      const p = param as unknown as PathNode
      const ref = resolve(p, stack)
      if (!ref) report(unknown(p.original, fullName(p, stack), helper), param)
      return ref
    }
    if (param.type === 'SubExpression') {
      const name = ((param.path as PathNode | undefined)?.original ?? 'helper').toString()
      report(t('adminTemplates.helperCall', { name }), param)
      return null
    }
    return { kind: 'value' }
  }

  const visit = (node: HbsNode, stack: Scope[]): void => {
    switch (node.type) {
      case 'ContentStatement':
      case 'CommentStatement':
        return
      case 'MustacheStatement': {
        const path = node.path as HbsNode
        const params = (node.params as HbsNode[] | undefined) ?? []
        const pairs = ((node.hash as { pairs?: unknown[] } | undefined)?.pairs ?? []) as unknown[]
        if (path.type !== 'PathExpression') {
          report(unknown(literalText(path), ''), node)
          return
        }
        const p = path as unknown as PathNode
        const shown = p.original
        if (params.length > 0 || pairs.length > 0) {
          report(t('adminTemplates.helper', { name: shown }), node)
          return
        }
        const ref = resolve(p, stack)
        if (!ref || !isLeaf(ref)) report(unknown(shown, fullName(p, stack)), node)
        return
      }
      case 'BlockStatement': {
        const p = node.path as unknown as PathNode
        const name = p.original
        const params = (node.params as HbsNode[] | undefined) ?? []
        const pairs = ((node.hash as { pairs?: unknown[] } | undefined)?.pairs ?? []) as unknown[]
        const program = node.program as { body: HbsNode[]; blockParams?: string[] } | null
        const inverse = node.inverse as { body: HbsNode[] } | null
        if (p.data || !(ALLOWED_HELPERS as readonly string[]).includes(name)) {
          report(t('adminTemplates.blockHelper', { name }), node)
          return
        }
        if (params.length !== 1) {
          report(t('adminTemplates.onePlaceholder', { block: name, example: name === 'if' || name === 'unless' ? 'supporter.organisation' : 'supporter' }), node)
          return
        }
        if (pairs.length > 0) report(t('adminTemplates.noOptions', { block: name }), node)
        const ref = checkParam(params[0]!, stack, name)
        if (name === 'each' && stack.some((s) => s.inEach)) {
          report(t('adminTemplates.eachInEach'), node)
          return
        }
        if (name === 'each' && ref?.kind === 'path' && ref.parts.length === 0) {
          report(t('adminTemplates.eachRoot'), node)
          return
        }
        if (name === 'if' || name === 'unless') {
          visitProgram(program, stack)
        } else {
          const inner: Ref = name === 'with' ? (ref ?? { kind: 'value' }) : { kind: 'value' }
          const names = program?.blockParams ?? []
          const blockParams = new Map<string, Ref>()
          if (names[0]) blockParams.set(names[0], inner)
          if (names[1]) blockParams.set(names[1], { kind: 'value' })
          visitProgram(program, [...stack, { context: inner, changesContext: true, inEach: name === 'each', blockParams }])
        }
        visitProgram(inverse, stack)
        return
      }
      case 'PartialStatement':
      case 'PartialBlockStatement':
        report(t('adminTemplates.partial'), node)
        return
      case 'Decorator':
      case 'DecoratorBlock':
        report(t('adminTemplates.decorator'), node)
        return
      default:
        report(t('adminTemplates.otherKind', { kind: node.type }), node)
    }
  }

  visitProgram(ast, [root])
  return problems
}

/** What each of Handlebars' tokens looks like in the text. */
const TOKEN_TEXT: Record<string, string> = {
  OPEN: '{{',
  CLOSE: '}}',
  OPEN_UNESCAPED: '{{{',
  CLOSE_UNESCAPED: '}}}',
  OPEN_RAW_BLOCK: '{{{{',
  CLOSE_RAW_BLOCK: '}}}}',
  END_RAW_BLOCK: '{{{{/',
  OPEN_BLOCK: '{{#',
  OPEN_ENDBLOCK: '{{/',
  OPEN_INVERSE: '{{^',
  OPEN_INVERSE_CHAIN: '{{else',
  INVERSE: '{{else}}',
  OPEN_PARTIAL: '{{>',
  OPEN_PARTIAL_BLOCK: '{{#>',
  OPEN_SEXPR: '(',
  CLOSE_SEXPR: ')',
  OPEN_BLOCK_PARAMS: 'as |',
  CLOSE_BLOCK_PARAMS: '|',
  EQUALS: '=',
  SEP: '.',
  DATA: '@',
}

function describeParseError(err: unknown, t: TFunction): string {
  const message = err instanceof Error ? err.message : String(err)
  const lines = message.split('\n')
  const head = /^Parse error on line (\d+):$/.exec(lines[0] ?? '')
  if (head && lines.length >= 4) {
    const got = /got '([^']+)'/.exec(lines[3] ?? '')?.[1]
    const near = (lines[1] ?? '').trim()
    const line = Number(head[1])
    if (got === 'EOF') return t('adminTemplates.parse.unclosed', { line, near })
    if (got === 'INVALID') return t('adminTemplates.parse.badTag', { line, near })
    // The parser's token names (CLOSE, OPEN_ENDBLOCK) as the characters the organizer typed; a word or text as "something".
    const token = got ? TOKEN_TEXT[got] : undefined
    return token ? t('adminTemplates.parse.unexpected', { token, line, near }) : t('adminTemplates.parse.unexpectedText', { line, near })
  }
  // Mismatched blocks: "if doesn't match with - 1:3".
  const mismatch = /^(\S+) doesn't match (\S+) - (\d+):\d+$/.exec(message)
  if (mismatch) return t('adminTemplates.parse.mismatch', { open: mismatch[1], close: mismatch[2], line: Number(mismatch[3]) })
  // Anything else in Handlebars' own words.
  return message.replace(/\s+/g, ' ').trim()
}

/** The official as an appeal sees them, country named in the letter's language. */
/**
 * The official as a letter in `language` names them: their name and title in that language where the
 * organizers gave one (else as written in the campaign's first language, `baseLanguage`), and its
 * salutation. A salutation is never borrowed from another language ("Dear Mr President," in a Russian
 * letter): without one in the letter's language it is that language's plain greeting with their name.
 */
export function targetContext(target: Target, language: string, baseLanguage: string = language): AppealContext['target'] {
  const texts = localize(target, targetTexts, language, baseLanguage)
  const salutation = texts.langs.salutation || !texts.salutation ? greeting(texts.name, language) : texts.salutation
  return {
    name: texts.name,
    title: texts.title,
    salutation,
    organisation: target.organisation,
    country: countryName(target.country, language),
    postalAddress: target.postalAddress,
  }
}

/** "Dear Nursultan Nazarbayev," · "Здравствуйте, Нурсултан Назарбаев!": the catalog's greeting in the letter's language (English for a language Outcry has no catalog for). */
function greeting(name: string, language: string): string {
  const t = translator(isLanguage(language) ? language : 'en')
  return t('letterText.greeting', { name })
}

const dateFormats = new Map<string, Intl.DateTimeFormat>()

/** The letter's date in its language (plain `en` would give the US order; "25 November 2026" reads better). */
/** The last day written per language: a surge writes thousands of letters on one day. */
const lastDates = new Map<string, { day: number; text: string }>()

export function letterDate(date: Date, language: string): string {
  const day = Math.floor(date.getTime() / 86_400_000)
  const last = lastDates.get(language)
  if (last?.day === day) return last.text
  const text = formatLetterDate(date, language)
  if (lastDates.size > 1000) lastDates.clear()
  lastDates.set(language, { day, text })
  return text
}

function formatLetterDate(date: Date, language: string): string {
  let f = dateFormats.get(language)
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(dateLocale(language), { dateStyle: 'long', timeZone: 'UTC' })
    } catch {
      f = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' })
    }
    dateFormats.set(language, f)
  }
  return f.format(date)
}
