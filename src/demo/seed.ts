import { and, eq, inArray } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { DateTime } from 'luxon'
import { campaigns, campaignPeople, targets, letterTemplates, pickets, updates, personStatusChanges } from '../db/schema/index.js'
import type { Tx } from '../db/client.js'

export const DEMO_SLUG = 'zhanaozen'

const story = `On 16 December 2011 police opened fire on striking oil workers and their families in Zhanaozen, western Kazakhstan. The workers had been on strike for months for fair pay and the right to an independent union. At least sixteen people were killed.

Instead of bringing the shooters to justice, the authorities put the strikers on trial. Oil workers and strike activists were sentenced to years in prison after a trial marked by reports of torture.

Trade unionists around the world answered: letters to the President and the Prosecutor General, and pickets at Kazakh embassies. Add your letter.`

const englishBody = `{{target.salutation}}

I am writing from {{supporter.city}}, {{supporter.country}}{{#if supporter.organisation}}, as a member of {{supporter.organisation}}{{/if}}, about the oil workers of Zhanaozen who were imprisoned after the strike of 2011.

On 16 December 2011 police opened fire on striking oil workers and their supporters in Zhanaozen. Instead of punishing those responsible for the shooting, the authorities jailed workers and strike activists, among them Roza Tuletaeva, Kanat Zhusipbaev and Shabdal Utkilov. Their trial was marred by credible reports of torture.

I ask you to release the imprisoned Zhanaozen oil workers, to investigate the allegations of torture, and to respect the right of workers in Kazakhstan to organise and to strike.
{{#if note}}

{{note}}
{{/if}}

Yours sincerely,
{{supporter.name}}
{{supporter.city}}, {{supporter.country}}
{{date}}`

const russianBody = `{{target.salutation}}

Я пишу Вам из города {{supporter.city}} ({{supporter.country}}){{#if supporter.organisation}} как член организации «{{supporter.organisation}}»{{/if}} по поводу нефтяников Жанаозена, осуждённых после забастовки 2011 года.

16 декабря 2011 года полиция открыла огонь по бастующим нефтяникам и их сторонникам в Жанаозене. Вместо того чтобы наказать виновных в расстреле, власти отправили в тюрьму рабочих и активистов забастовки, среди них Розу Тулетаеву, Каната Жусипбаева и Шабдала Уткилова. Суд над ними сопровождался достоверными сообщениями о пытках.

Я призываю Вас освободить осуждённых нефтяников Жанаозена, расследовать заявления о пытках и уважать право работников Казахстана объединяться в профсоюзы и бастовать.
{{#if note}}

{{note}}
{{/if}}

С уважением,
{{supporter.name}}
{{supporter.city}}, {{supporter.country}}
{{date}}`

// Formal Kazakh: Сіз, as the Russian letter's Вы.
const kazakhBody = `{{target.salutation}}

Сізге {{supporter.city}} қаласынан ({{supporter.country}}){{#if supporter.organisation}}, «{{supporter.organisation}}» ұйымының мүшесі ретінде{{/if}} 2011 жылғы ереуілден кейін сотталған Жаңаөзен мұнайшылары туралы жазып отырмын.

2011 жылғы 16 желтоқсанда полиция Жаңаөзенде ереуілге шыққан мұнайшылар мен олардың жақтастарына оқ атты. Атысқа кінәлілерді жазалаудың орнына билік жұмысшылар мен ереуіл белсенділерін, соның ішінде Роза Тулетаеваны, Қанат Жүсіпбаевты және Шабдал Уткиловты түрмеге қамады. Сот процесі кезінде азаптау туралы сенімді мәліметтер айтылды.

Сізді Жаңаөзеннің сотталған мұнайшыларын босатуға, азаптау туралы мәліметтерді тергеуге және Қазақстан жұмысшыларының кәсіподаққа бірігу және ереуілге шығу құқығын құрметтеуге шақырамын.
{{#if note}}

{{note}}
{{/if}}

Құрметпен,
{{supporter.name}}
{{supporter.city}}, {{supporter.country}}
{{date}}`

const russianStory = `16 декабря 2011 года в Жанаозене, на западе Казахстана, полиция открыла огонь по бастующим нефтяникам и их семьям. Рабочие много месяцев бастовали за справедливую оплату труда и право на независимый профсоюз. Погибли по меньшей мере шестнадцать человек.

Вместо того чтобы привлечь стрелявших к ответственности, власти отдали под суд самих забастовщиков. Нефтяников и активистов забастовки приговорили к многолетним срокам после процесса, на котором звучали сообщения о пытках.

Профсоюзы всего мира ответили письмами Президенту и Генеральному прокурору и пикетами у посольств Казахстана. Добавьте своё письмо.`

const demoPickets = [
  { days: 3, city: 'London', inCity: 'Лондоне', country: 'GB', timeZone: 'Europe/London', address: '125 Pall Mall, SW1Y 5EA' },
  { days: 4, city: 'Warsaw', inCity: 'Варшаве', country: 'PL', timeZone: 'Europe/Warsaw', address: 'ul. Królowej Marysieńki 14' },
  { days: 5, city: 'Kyiv', inCity: 'Киеве', country: 'UA', timeZone: 'Europe/Kyiv', address: 'vul. Melnykova 26' },
  { days: 6, city: 'Moscow', inCity: 'Москве', country: 'RU', timeZone: 'Europe/Moscow', address: 'Chistoprudny Boulevard 3A' },
]

/** Four pickets a few days ahead, at noon in each embassy's own zone. */
function seedPickets(tx: Tx, campaignId: number, now: Date) {
  tx.insert(pickets)
    .values(
      demoPickets.map((p) => {
        const start = DateTime.fromJSDate(now, { zone: p.timeZone }).plus({ days: p.days }).set({ hour: 12, minute: 0, second: 0, millisecond: 0 })
        return {
          campaignId,
          title: `Picket at the Kazakh embassy in ${p.city}`,
          venue: 'Embassy of the Republic of Kazakhstan',
          address: p.address,
          city: p.city,
          country: p.country,
          timeZone: p.timeZone,
          startsAt: start.toJSDate(),
          endsAt: start.plus({ hours: 2 }).toJSDate(),
          capacity: p.city === 'London' ? 40 : null,
          bring: 'Union banners, the placard "Free the Zhanaozen oil workers", warm clothes',
          contact: `Picket organizer, ${p.city.toLowerCase()}@pickets.example.org`,
          reminders: [1440, 120],
          translations: {
            ru: {
              title: `Пикет у посольства Казахстана в ${p.inCity}`,
              bring: 'Профсоюзные флаги, плакат «Свободу нефтяникам Жанаозена», тёплую одежду',
            },
          },
          createdAt: now,
          updatedAt: now,
        }
      }),
    )
    .run()
}

/**
 * The Kazakh embassies the 2013 campaign picketed, each offered first to supporters from the countries
 * it serves. Their addresses are not deliverable (example.org); their language is one the campaign has
 * templates for, and their time zone comes from their country.
 */
const demoEmbassies = [
  {
    city: 'London',
    name: 'Ambassador in London',
    to: 'the United Kingdom',
    ru: { name: 'Посол в Лондоне', title: 'Посол Республики Казахстан в Великобритании' },
    kk: { name: 'Лондондағы елші', title: 'Қазақстан Республикасының Ұлыбританиядағы елшісі' },
    country: 'GB',
    forCountries: ['GB', 'IE'],
    email: 'embassy-london@kazembassy.example.org',
    postalAddress: '125 Pall Mall, London SW1Y 5EA, United Kingdom',
  },
  {
    city: 'Berlin',
    name: 'Ambassador in Berlin',
    to: 'the Federal Republic of Germany',
    ru: { name: 'Посол в Берлине', title: 'Посол Республики Казахстан в Германии' },
    kk: { name: 'Берлиндегі елші', title: 'Қазақстан Республикасының Германиядағы елшісі' },
    country: 'DE',
    forCountries: ['DE', 'AT', 'CH'],
    email: 'embassy-berlin@kazembassy.example.org',
    postalAddress: 'Nordsternstraße 19, 10825 Berlin, Germany',
  },
  {
    city: 'Warsaw',
    name: 'Ambassador in Warsaw',
    to: 'the Republic of Poland',
    ru: { name: 'Посол в Варшаве', title: 'Посол Республики Казахстан в Польше' },
    kk: { name: 'Варшавадағы елші', title: 'Қазақстан Республикасының Польшадағы елшісі' },
    country: 'PL',
    forCountries: ['PL'],
    email: 'embassy-warsaw@kazembassy.example.org',
    postalAddress: 'ul. Królowej Marysieńki 14, 02-954 Warszawa, Poland',
  },
  {
    city: 'Kyiv',
    name: 'Ambassador in Kyiv',
    to: 'Ukraine',
    ru: { name: 'Посол в Киеве', title: 'Посол Республики Казахстан в Украине' },
    kk: { name: 'Киевтегі елші', title: 'Қазақстан Республикасының Украинадағы елшісі' },
    country: 'UA',
    forCountries: ['UA'],
    email: 'embassy-kyiv@kazembassy.example.org',
    postalAddress: 'vul. Melnykova 26, Kyiv 04050, Ukraine',
  },
]

type Unpaced = { maxPerHour?: number; sendHoursFrom?: number; sendHoursTo?: number }

/** The four embassies, after the President and the Prosecutor General. */
function seedEmbassies(tx: Tx, campaignId: number, now: Date, unpaced: Unpaced) {
  tx.insert(targets)
    .values(
      demoEmbassies.map((e, i) => ({
        campaignId,
        name: e.name,
        title: `Ambassador of the Republic of Kazakhstan to ${e.to}`,
        salutation: 'Dear Ambassador,',
        translations: {
          ru: { ...e.ru, salutation: 'Уважаемый господин Посол!' },
          kk: { ...e.kk, salutation: 'Құрметті Елші мырза!' },
        },
        organisation: `Embassy of the Republic of Kazakhstan in ${e.city}`,
        country: e.country,
        forCountries: e.forCountries,
        email: e.email,
        ...unpaced,
        postalAddress: e.postalAddress,
        // The campaign writes in English and Russian: English for the embassies in Europe.
        language: 'en',
        position: 3 + i,
        createdAt: now,
        updatedAt: now,
      })),
    )
    .run()
}

/** Loads the demo campaign once; a second run changes nothing. */
/**
 * Loads the demo campaign once. `confirm: false` and `paced: false` are for benchmarks and fault
 * scripts, which measure letters that count at once and mail that goes as fast as it can; the demo
 * itself confirms and paces, as every new campaign does.
 */
export function seedDemo(db: Db, now = new Date(), opts: { confirm?: boolean; paced?: boolean } = {}): { created: boolean; campaignId: number } {
  return db.transaction((tx) => {
    const existing = tx.select({ id: campaigns.id }).from(campaigns).where(eq(campaigns.slug, DEMO_SLUG)).get()
    // Unpaced: as fast as the hourly cap allows, at any hour (benchmarks and fault scripts only).
    const unpaced: Unpaced = opts.paced === false ? { maxPerHour: 100_000, sendHoursFrom: 0, sendHoursTo: 24 } : {}
    if (existing) {
      // A database seeded before pickets existed gets them once.
      const hasPickets = tx.select({ id: pickets.id }).from(pickets).where(eq(pickets.campaignId, existing.id)).limit(1).get()
      if (!hasPickets) seedPickets(tx, existing.id, now)
      // And one seeded before the embassies gets them once (none of their addresses there yet).
      const embassyEmails = demoEmbassies.map((e) => e.email)
      const hasEmbassies = tx
        .select({ id: targets.id })
        .from(targets)
        .where(and(eq(targets.campaignId, existing.id), inArray(targets.email, embassyEmails)))
        .limit(1)
        .get()
      if (!hasEmbassies) seedEmbassies(tx, existing.id, now, unpaced)
      return { created: !hasPickets || !hasEmbassies, campaignId: existing.id }
    }
    const campaign = tx
      .insert(campaigns)
      .values({
        slug: DEMO_SLUG,
        title: 'Free the Zhanaozen oil workers',
        summary: 'Oil workers in Kazakhstan were jailed for striking. Write to the President, the Prosecutor General and the Kazakh embassy in your country to demand their release.',
        story,
        translations: {
          ru: {
            title: 'Свободу нефтяникам Жанаозена',
            summary: 'Нефтяников Казахстана посадили в тюрьму за забастовку. Напишите Президенту, Генеральному прокурору и в посольство Казахстана в вашей стране и потребуйте их освобождения.',
            story: russianStory,
          },
          kk: {
            title: 'Жаңаөзен мұнайшыларына бостандық',
            summary: 'Қазақстанда мұнайшылар ереуілге шыққаны үшін түрмеге қамалды. Олардың босатылуын талап етіп, Президентке, Бас прокурорға және өз еліңіздегі Қазақстан елшілігіне хат жазыңыз.',
          },
        },
        goal: 11000,
        status: 'live',
        // As every new campaign: letters and RSVPs count once confirmed from the mailbox.
        confirmLetters: opts.confirm ?? true,
        confirmRsvps: opts.confirm ?? true,
        // English first (the texts below), then Russian and Kazakh, the languages of the people it is for.
        languages: ['en', 'ru', 'kk'],
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: campaigns.id })
      .get()
    tx.insert(campaignPeople)
      .values([
        {
          campaignId: campaign.id,
          name: 'Roza Tuletaeva',
          status: 'moved to a colony-settlement',
          detail: 'Strike activist and voice of the Zhanaozen oil workers, sentenced in 2012; her term was cut and she was moved to a colony-settlement.',
          position: 1,
          translations: {
            ru: {
              name: 'Роза Тулетаева',
              status: 'переведена в колонию-поселение',
              detail: 'Активистка забастовки и голос нефтяников Жанаозена, осуждена в 2012 году; срок ей сократили и перевели её в колонию-поселение.',
            },
            kk: {
              name: 'Роза Тулетаева',
              status: 'колония-қонысқа ауыстырылды',
              detail: 'Ереуіл белсендісі, Жаңаөзен мұнайшыларының үні, 2012 жылы сотталды; жазасы қысқартылып, колония-қонысқа ауыстырылды.',
            },
          },
        },
        {
          campaignId: campaign.id,
          name: 'Kanat Zhusipbaev',
          status: 'jailed',
          detail: 'Oil worker and strike leader, sentenced in 2012 after the Zhanaozen trial.',
          position: 2,
          translations: {
            ru: { name: 'Канат Жусипбаев', status: 'в заключении', detail: 'Нефтяник и лидер забастовки, осуждён в 2012 году по итогам жанаозенского процесса.' },
            kk: { name: 'Қанат Жүсіпбаев', status: 'түрмеде', detail: 'Мұнайшы, ереуіл жетекшісі, 2012 жылы Жаңаөзен сот процесінен кейін сотталды.' },
          },
        },
        {
          campaignId: campaign.id,
          name: 'Shabdal Utkilov',
          status: 'jailed',
          detail: 'Oil worker sentenced in 2012 after the Zhanaozen trial.',
          position: 3,
          translations: {
            ru: { name: 'Шабдал Уткилов', status: 'в заключении', detail: 'Нефтяник, осуждён в 2012 году по итогам жанаозенского процесса.' },
            kk: { name: 'Шабдал Уткилов', status: 'түрмеде', detail: 'Мұнайшы, 2012 жылы Жаңаөзен сот процесінен кейін сотталды.' },
          },
        },
      ])
      .run()
    tx.insert(targets)
      .values([
        {
          campaignId: campaign.id,
          name: 'Nursultan Nazarbayev',
          title: 'President of the Republic of Kazakhstan',
          salutation: 'Dear Mr President,',
          translations: {
            ru: { name: 'Нурсултан Назарбаев', title: 'Президент Республики Казахстан', salutation: 'Уважаемый Нурсултан Абишевич!' },
            kk: { name: 'Нұрсұлтан Назарбаев', title: 'Қазақстан Республикасының Президенті', salutation: 'Құрметті Нұрсұлтан Әбішұлы!' },
          },
          organisation: 'Presidential Administration (Akorda)',
          country: 'KZ',
          email: 'president@akorda.example.org',
          ...unpaced,
          postalAddress: 'Akorda, Astana 010000, Kazakhstan',
          language: 'ru',
          position: 1,
          createdAt: now,
          updatedAt: now,
        },
        {
          campaignId: campaign.id,
          name: 'Askhat Daulbayev',
          title: 'Prosecutor General of the Republic of Kazakhstan',
          salutation: 'Dear Prosecutor General,',
          translations: {
            ru: { name: 'Асхат Даулбаев', title: 'Генеральный прокурор Республики Казахстан', salutation: 'Уважаемый Асхат Кайзуллаевич!' },
            kk: { name: 'Асхат Дауылбаев', title: 'Қазақстан Республикасының Бас прокуроры', salutation: 'Құрметті Асхат Қайзоллаұлы!' },
          },
          organisation: "Prosecutor General's Office",
          country: 'KZ',
          email: 'prosecutor-general@prokuror.example.org',
          ...unpaced,
          postalAddress: '14 Republic Avenue, Astana 010000, Kazakhstan',
          language: 'ru',
          position: 2,
          createdAt: now,
          updatedAt: now,
        },
      ])
      .run()
    seedEmbassies(tx, campaign.id, now, unpaced)
    tx.insert(letterTemplates)
      .values([
        { campaignId: campaign.id, language: 'en', subject: 'Free the Zhanaozen oil workers', body: englishBody, createdAt: now, updatedAt: now },
        { campaignId: campaign.id, language: 'ru', subject: 'Освободите нефтяников Жанаозена', body: russianBody, createdAt: now, updatedAt: now },
        { campaignId: campaign.id, language: 'kk', subject: 'Жаңаөзен мұнайшыларын босатыңыз', body: kazakhBody, createdAt: now, updatedAt: now },
      ])
      .run()
    seedPickets(tx, campaign.id, now)
    seedUpdate(tx, campaign.id, now)
    return { created: true, campaignId: campaign.id }
  })
}

/**
 * The campaign's news, so the campaign page shows an update and a person's timeline on a fresh install:
 * Roza Tuletaeva moved to a colony-settlement (2013), in English with a Russian translation, and the
 * status change it records (her status above already reads so). The day is illustrative.
 */
function seedUpdate(tx: Tx, campaignId: number, now: Date) {
  const roza = tx
    .select({ id: campaignPeople.id })
    .from(campaignPeople)
    .where(and(eq(campaignPeople.campaignId, campaignId), eq(campaignPeople.name, 'Roza Tuletaeva')))
    .get()
  if (!roza) return
  const update = tx
    .insert(updates)
    .values({
      campaignId,
      language: 'en',
      title: 'Roza Tuletaeva moved to a colony-settlement',
      body: 'Roza Tuletaeva, the strike activist jailed after Zhanaozen, has had her sentence cut and has been moved to a colony-settlement, a milder regime than the prison colony where she was held.\n\nIt is a step, not freedom. **Keep writing**: the letters show the authorities that the world is watching, and her fellow workers are still behind bars.',
      translations: {
        ru: {
          title: 'Розу Тулетаеву перевели в колонию-поселение',
          body: 'Розе Тулетаевой, активистке забастовки, осуждённой после Жанаозена, сократили срок и перевели её в колонию-поселение — режим мягче, чем в колонии, где она содержалась.\n\nЭто шаг, но ещё не свобода. **Продолжайте писать**: письма показывают властям, что мир следит, а её товарищи всё ещё за решёткой.',
        },
      },
      status: 'published',
      publishedAt: now,
      createdAt: now,
      updatedAt: now,
    })
    .returning({ id: updates.id })
    .get()
  tx.insert(personStatusChanges)
    .values({
      personId: roza.id,
      updateId: update.id,
      language: 'en',
      status: 'moved to a colony-settlement',
      translations: { ru: { status: 'переведена в колонию-поселение' }, kk: { status: 'колония-қонысқа ауыстырылды' } },
      happenedOn: '2013-06-01',
      createdAt: now,
    })
    .run()
  tx.update(campaignPeople).set({ statusChangedOn: '2013-06-01' }).where(eq(campaignPeople.id, roza.id)).run()
}
