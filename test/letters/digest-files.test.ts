import t from 'tap'
import { parse } from 'csv-parse/sync'
import { DIGEST_CSV_COLUMNS, countsByCountry, digestCsv, digestNotes, type DeliveryLetter } from '../../src/letters/digest-files.js'
import { csvText } from '../../src/csv.js'
import { build } from '../helper.js'
import { pagesOf } from '../pdf.js'
import { mailSettings } from '../../src/mail/settings.js'
import { digestToOfficial } from '../../src/letters/mail.js'
import type { Letter } from '../../src/db/schema/index.js'

let minute = 0
const letter = (over: Partial<DeliveryLetter> = {}): DeliveryLetter => ({
  subject: 'Free the oil workers',
  body: 'Dear Prosecutor General,\n\nRelease them.',
  supporterName: 'Jo Smith',
  city: 'Leeds',
  country: 'GB',
  organisation: null,
  createdAt: new Date(Date.UTC(2026, 2, 1, 9, 0, 0) + minute++ * 60_000),
  language: 'en',
  note: null,
  ...over,
})

const rowsOf = (csv: string) => parse(csv, { bom: true, columns: true, skip_empty_lines: true }) as Record<string, string>[]

t.test('digestCsv: every letter, columns in order, text intact, UTF-8 with a BOM for Excel', async (t) => {
  const letters = [
    letter({ supporterName: 'Smith, "Jo"', organisation: 'Unite, Leeds branch', createdAt: new Date('2026-03-01T09:00:00Z') }),
    letter({ subject: 'Жаңаөзен мұнайшыларына бостандық', body: 'Құрметті Бас прокурор мырза!\r\n\r\nӘділ сот, ғадалат, қамқорлық, өмір, ұлт, үміт, һәм ілім.', supporterName: 'Әсел Құрманғазы', city: 'Алматы', country: 'KZ', language: 'kk', createdAt: new Date('2026-03-02T10:30:15.900Z') }),
    letter({ subject: 'Свободу', body: 'Уважаемый прокурор!\n\n«Ёлка» — щука', supporterName: null, city: null, country: 'RU', language: 'ru' }),
  ]
  const csv = digestCsv(letters)
  t.ok(csv.startsWith('\uFEFF'), 'a BOM by default')
  t.equal(csv.slice(1).split('\r\n')[0], DIGEST_CSV_COLUMNS.join(','), 'the header, ended by CRLF (RFC 4180)')
  t.equal(DIGEST_CSV_COLUMNS.join(','), 'date,supporter name,city,country,country name,organisation,subject,body')
  const rows = rowsOf(csv)
  t.equal(rows.length, 3)
  t.same(rows[0], { date: '2026-03-01 09:00:00', 'supporter name': 'Smith, "Jo"', city: 'Leeds', country: 'GB', 'country name': 'United Kingdom', organisation: 'Unite, Leeds branch', subject: 'Free the oil workers', body: 'Dear Prosecutor General,\n\nRelease them.' })
  t.same(rows[1], { date: '2026-03-02 10:30:15', 'supporter name': 'Әсел Құрманғазы', city: 'Алматы', country: 'KZ', 'country name': 'Kazakhstan', organisation: '', subject: 'Жаңаөзен мұнайшыларына бостандық', body: 'Құрметті Бас прокурор мырза!\r\n\r\nӘділ сот, ғадалат, қамқорлық, өмір, ұлт, үміт, һәм ілім.' }, 'Kazakh, and the body exactly as written')
  t.match(rows[2], { 'supporter name': '', city: '', country: 'RU', 'country name': 'Russia', body: 'Уважаемый прокурор!\n\n«Ёлка» — щука' })
  t.ok(Buffer.from(csv, 'utf8').includes(Buffer.from('Әсел', 'utf8')))

  t.notOk(digestCsv(letters, { bom: false }).startsWith('\uFEFF'), 'no BOM when asked')
  t.same(rowsOf(digestCsv([])), [], 'no letters: the header alone')
  t.equal(digestCsv([], { bom: false }), `${DIGEST_CSV_COLUMNS.join(',')}\r\n`)
})

t.test('digestCsv: cells a spreadsheet would run as formulas come out as text', async (t) => {
  const hostile = [
    letter({ supporterName: '=HYPERLINK("http://evil.example","click")', city: '+Leeds', organisation: '@SUM(A1)', subject: '-2+3', body: '=cmd|\' /C calc\'!A0' }),
    letter({ supporterName: '\tTabbed', city: '\rReturn', organisation: '＝1+1', subject: '＋1', body: '－1' }),
    letter({ supporterName: 'Plain = name', city: 'a+b', organisation: 'x@y', subject: 'ok - fine', body: 'Body\n=not at the start of the cell' }),
  ]
  const [a, b, c] = rowsOf(digestCsv(hostile))
  t.same([a!['supporter name'], a!.city, a!.organisation, a!.subject, a!.body], [`'=HYPERLINK("http://evil.example","click")`, "'+Leeds", "'@SUM(A1)", "'-2+3", "'=cmd|' /C calc'!A0"])
  t.same([b!['supporter name'], b!.city, b!.organisation, b!.subject, b!.body], ["'\tTabbed", "'\rReturn", "'＝1+1", "'＋1", "'－1"], 'tab, CR and full-width signs too')
  t.same([c!['supporter name'], c!.city, c!.organisation, c!.subject, c!.body], ['Plain = name', 'a+b', 'x@y', 'ok - fine', 'Body\n=not at the start of the cell'], 'signs inside a cell are left alone')
})

t.test('csvText: the shared helper, numbers stay numbers', async (t) => {
  t.equal(csvText([['=1', -3, '-3', 'x']]), `'=1,-3,'-3,x\r\n`)
  t.equal(csvText([['a']], { columns: ['h'], header: true, bom: true }), '\uFEFFh\r\na\r\n')
})

t.test('countsByCountry: most letters first, names, a sum that matches', async (t) => {
  const letters = [...['KZ', 'GB', 'KZ', 'DE', 'GB', 'KZ', 'AT', 'XX'].map((country) => letter({ country }))]
  const counts = countsByCountry(letters)
  t.same(counts, [
    { country: 'KZ', name: 'Kazakhstan', count: 3 },
    { country: 'GB', name: 'United Kingdom', count: 2 },
    { country: 'AT', name: 'Austria', count: 1 },
    { country: 'DE', name: 'Germany', count: 1 },
    { country: 'XX', name: 'XX', count: 1 },
  ])
  t.equal(counts.reduce((s, c) => s + c.count, 0), letters.length)
  t.same(countsByCountry(letters, 'ru')[0], { country: 'KZ', name: 'Казахстан', count: 3 }, 'names in another language')
  t.same(countsByCountry([]), [])
})

t.test('digestNotes: spread over countries, the fullest note of each first, no empty or repeated notes', async (t) => {
  const letters = [
    // Many letters from Kazakhstan, with long notes; fewer from elsewhere.
    ...Array.from({ length: 12 }, (_, i) => letter({ country: 'KZ', language: 'kk', note: `Жаңаөзен ${'ә'.repeat(i)} ${i}`, supporterName: `KZ ${i}` })),
    letter({ country: 'GB', note: 'Short' }),
    letter({ country: 'GB', note: 'A longer note from Leeds, with reasons' }),
    letter({ country: 'GB', note: '  a LONGER note   from Leeds, with reasons ' }),
    letter({ country: 'DE', note: 'Solidarität aus Berlin' }),
    letter({ country: 'DE', note: '   ' }),
    letter({ country: 'PL', note: null }),
    letter({ country: 'PL' }),
    letter({ country: 'UA', note: 'Free them' }),
  ]
  const notes = digestNotes(letters)
  t.equal(notes.length, 10)
  t.same(
    notes.slice(0, 4).map((n) => n.country),
    ['KZ', 'GB', 'DE', 'UA'],
    'the first round: one note from each country that wrote one, by number of letters',
  )
  t.equal(notes[0]!.text, `Жаңаөзен ${'ә'.repeat(11)} 11`, "the country's longest note first")
  t.equal(notes[0]!.supporterName, 'KZ 11')
  t.equal(notes[0]!.countryName, 'Kazakhstan')
  t.equal(notes[1]!.text, 'A longer note from Leeds, with reasons')
  t.same(
    notes.slice(4).map((n) => n.country),
    ['KZ', 'GB', 'KZ', 'KZ', 'KZ', 'KZ'],
    'then round by round, countries that ran out of notes left out',
  )
  t.equal(notes.filter((n) => /longer note from leeds/i.test(n.text)).length, 1, 'a repeated note once')
  t.notOk(notes.some((n) => n.text.trim() === ''), 'no empty notes')
  t.same(digestNotes(letters), notes, 'the same letters, the same selection')
  t.equal(digestNotes(letters, { max: 3 }).length, 3)
  t.same(digestNotes(letters, { max: 0 }), [])
  t.same(digestNotes([letter(), letter({ note: '' })]), [], 'no notes at all')
})

t.test('digestNotes: a long note is cut at a word', async (t) => {
  const long = 'Мы требуем освободить нефтяников Жанаозена. '.repeat(40)
  const [note] = digestNotes([letter({ note: long })], { maxChars: 100 })
  t.ok(note!.truncated)
  t.ok([...note!.text].length <= 100, `${[...note!.text].length} characters`)
  t.ok(note!.text.endsWith('…'))
  t.ok(long.startsWith(note!.text.slice(0, -1)), 'the start of the note, as written')
  t.match(note!.text, /[а-яё.]…$/i, 'not in the middle of a word')
  t.ok(long.startsWith(`${note!.text.slice(0, -1)} `), 'cut where a word ends')
  const [short] = digestNotes([letter({ note: 'Short note' })], { maxChars: 100 })
  t.same([short!.text, short!.truncated], ['Short note', false])
  const [word] = digestNotes([letter({ note: 'x'.repeat(500) })], { maxChars: 50 })
  t.equal(word!.text, `${'x'.repeat(49)}…`, 'one endless word is cut where it must be')
})

t.test('digestCsv: English column keys for tools in every language, country names in the language asked for', async (t) => {
  const letters = [letter({ country: 'KZ' }), letter({ country: 'DE' })]
  const ru = digestCsv(letters, { language: 'ru' })
  t.equal(ru.slice(1).split('\r\n')[0], DIGEST_CSV_COLUMNS.join(','), 'the header: the same keys')
  t.same(rowsOf(ru).map((r) => r['country name']), ['Казахстан', 'Германия'])
  t.same(rowsOf(ru).map((r) => r.date), rowsOf(digestCsv(letters)).map((r) => r.date), 'dates as in English: sortable, UTC')
  t.match(rowsOf(ru)[0]!.date, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
  t.same(rowsOf(digestCsv(letters, { language: 'de' })).map((r) => r['country name']), ['Kasachstan', 'Deutschland'])
  t.same(rowsOf(digestCsv(letters)).map((r) => r['country name']), ['Kazakhstan', 'Germany'], 'English by default')
})

t.test('a digest\'s attachments in the official\'s language: the PDF\'s words, the CSV\'s country names; the letters as written', async (t) => {
  const app = await build(t)
  const mail = mailSettings(app.config)
  const campaign = app.campaigns.bySlug('zhanaozen')!
  const president = app.campaigns.target(campaign.id, 1)!
  t.equal(president.language, 'ru', 'the demo\'s President reads Russian')
  const rows = [
    { language: 'ru', subject: 'Свободу нефтяникам', body: 'Уважаемый Нурсултан Абишевич!\n\nОсвободите осуждённых.', supporterName: 'Анна Иванова', city: 'Москва', country: 'RU' },
    { language: 'kk', subject: 'Бостандық', body: 'Құрметті Нұрсұлтан Әбішұлы!\n\nӘділ сот керек: ӘҒҚҢӨҰҮҺІ.', supporterName: 'Әсел Құрманғазы', city: 'Алматы', country: 'KZ' },
    { language: 'en', subject: 'Free them', body: 'Dear Mr President,\n\nRelease them.', supporterName: 'Jo Smith', city: 'Leeds', country: 'GB' },
  ].map((l, i) => ({ id: i + 1, publicId: `p${i}`, organisation: null, note: null, createdAt: new Date(Date.UTC(2026, 11, 1, 10 + i)), countedAt: null, ...l }) as unknown as Letter)
  const digest = { id: 1, campaignId: campaign.id, targetId: 1, periodStart: new Date('2026-12-01T09:00:00Z'), periodEnd: new Date('2026-12-02T09:00:00Z'), letterCount: 3, sentAt: null, createdAt: new Date() }
  const now = new Date('2026-12-02T09:01:00Z')
  const attachments = async (target: typeof president) => {
    const message = await digestToOfficial(mail, campaign, target, digest, rows, now)
    const csv = message.attachments!.find((a) => a.filename!.endsWith('.csv'))!
    const pdf = message.attachments!.find((a) => a.contentType === 'application/pdf')!
    return { csv: rowsOf(String(csv.content)), header: String(csv.content).slice(1).split('\r\n')[0], pages: await pagesOf(Buffer.from(String(pdf.content), 'base64')), pdfName: pdf.filename }
  }
  const squash = (s: string) => s.replace(/\s+/g, ' ').trim()

  // Russian: the President's name, title and the campaign in Russian; Russian headings, dates and countries.
  const ru = await attachments(president)
  t.match(ru.pages[0], 'ПОДБОРКА ПИСЕМ')
  t.match(ru.pages[0], 'Свободу нефтяникам Жанаозена')
  t.match(ru.pages[0], 'Адресат\nНурсултан Назарбаев\nПрезидент Республики Казахстан\n')
  t.match(ru.pages[0], /^3 письма$/m)
  t.match(ru.pages[0], 'написаны с 1 декабря 2026 г. по 2 декабря 2026 г.', 'the period in Almaty, a Russian date')
  t.match(ru.pages[0], 'Письма по странам (3)')
  t.match(ru.pages[0], /^Великобритания \(GB\) 1$/m)
  t.match(squash(ru.pages[0]!), 'Подготовлено сервисом Outcry 2 декабря 2026 г. в 14:01 Asia/Almaty.')
  const ruAll = ru.pages.join('\n')
  t.match(ruAll, /^Письмо 1 из 3 1 декабря 2026 г\.$/m)
  t.match(ruAll, 'Leeds, Великобритания')
  t.match(ruAll, 'Написано 1 декабря 2026 г. в 17:00 Asia/Almaty')
  t.match(squash(ruAll), 'Dear Mr President, Release them.', 'an English letter stays as written')
  t.match(squash(ruAll), 'Әділ сот керек: ӘҒҚҢӨҰҮҺІ.', 'Kazakh letters intact')
  t.notMatch(ruAll, /DELIVERY|Letters to|Generated|Written on|United Kingdom|page \d/, 'none of our English words')
  t.equal(ru.header, DIGEST_CSV_COLUMNS.join(','), 'the CSV\'s column keys stay English, for tools')
  t.same(ru.csv.map((r) => r['country name']), ['Россия', 'Казахстан', 'Великобритания'], 'country names in Russian')
  t.same(ru.csv.map((r) => r.body), rows.map((l) => l.body), 'the letters as written')
  t.match(ru.pdfName, /^dossier-nursultan-nazarbayev-2026-12-01-2026-12-02\.pdf$/, 'an ASCII file name')

  // English, as before.
  const en = await attachments({ ...president, language: 'en' })
  t.match(en.pages[0], 'DELIVERY DOSSIER')
  t.match(en.pages[0], 'Free the Zhanaozen oil workers')
  t.match(en.pages[0], 'Letters to\nNursultan Nazarbayev\nPresident of the Republic of Kazakhstan\n')
  t.match(en.pages[0], /^3 letters$/m)
  t.match(en.pages[0], 'written from 1 December 2026 to 2 December 2026')
  t.match(en.pages[0], 'in English (1), Kazakh (1), Russian (1)')
  t.match(en.pages.join('\n'), 'Written on 1 December 2026 at 17:00 Asia/Almaty')
  t.same(en.csv.map((r) => r['country name']), ['Russia', 'Kazakhstan', 'United Kingdom'])

  // German: our words in German; no German texts of the campaign, so its first language's.
  const de = await attachments({ ...president, language: 'de' })
  t.match(de.pages[0], 'BRIEFSAMMLUNG')
  t.match(de.pages[0], 'Briefe an\nNursultan Nazarbayev\n')
  t.match(de.pages[0], /^3 Briefe$/m)
  t.match(de.pages[0], 'geschrieben vom 1. Dezember 2026 bis zum 2. Dezember 2026')
  t.match(de.pages[0], 'Sprachen: Englisch (1), Kasachisch (1), Russisch (1)')
  t.match(de.pages.join('\n'), /^Brief 2 von 3 1\. Dezember 2026$/m)
  t.equal(de.header, DIGEST_CSV_COLUMNS.join(','))
  t.same(de.csv.map((r) => r['country name']), ['Russland', 'Kasachstan', 'Vereinigtes Königreich'])
})
