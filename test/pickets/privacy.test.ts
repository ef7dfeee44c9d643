// Issue 11, section 1 for pickets: nobody learns from our answers, pages, counts, mail or timing
// whether an address RSVPed; drafts stay private; our mail is no relay.
import t from 'tap'
import { formSession, postForm, tableCount } from '../helper.js'
import { confirm, jsonRsvp, picketApp, picketFields, rsvp, setConfirmRsvps, statusOf, subjects, tokenOf, type App } from './helpers.js'

const schedule = (app: App, campaignId: number, extra: Record<string, unknown> = {}) =>
  app.pickets.schedule(campaignId, { ...picketFields, startsLocal: '2026-12-10T12:00', endsLocal: '2026-12-10T14:00', ...extra })

const publicCounts = async (app: App, picketId: number) => {
  const { going, waitlisted } = (await app.inject(`/api/pickets/${picketId}`)).json()
  return { going, waitlisted }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2
}

t.test('a repeat RSVP changes nothing, answers like a new one with nothing to compare, and mails the owner their own link', async (t) => {
  const { app, smtp, campaignId } = await picketApp(t)
  const picket = schedule(app, campaignId)
  const first = await jsonRsvp(app, picket.id, { name: 'Ann', email: 'ann@example.com' })
  const ann = tokenOf(app, picket.id, 'ann@example.com')
  const pendingRepeat = await jsonRsvp(app, picket.id, { name: 'Someone Else', email: ' ANN@example.com ' })
  await confirm(app, ann)
  const counts = await publicCounts(app, picket.id)
  t.same(counts, { going: 1, waitlisted: 0 })
  const goingRepeat = await jsonRsvp(app, picket.id, { name: 'Someone Else', email: 'Ann@Example.com' })
  const other = await jsonRsvp(app, picket.id, { name: 'Bea', email: 'bea@example.com' })

  const answers = [first, pendingRepeat, goingRepeat, other]
  for (const res of answers) {
    t.equal(res.statusCode, 201)
    t.same(Object.keys(res.json()), ['rsvp'], 'no link in the answer')
    t.same(Object.keys(res.json().rsvp).sort(), ['id', 'status'])
    t.match(res.json().rsvp, { id: /^[\w-]{16}$/, status: 'pending_confirmation' }, 'a random id, the same status')
    t.notMatch(res.body, /rsvps\/|token|manage/i)
    t.notMatch(res.json().rsvp.id, /^\d+$/, 'not a sequential number')
  }
  t.equal(new Set(answers.map((r) => r.json().rsvp.id)).size, 4, 'each answer draws its own id')
  t.notOk(answers.some((r) => r.body.includes(ann)), "nobody is handed Ann's link")
  t.equal(tableCount(app, 'rsvps', `picket_id = ${picket.id}`), 2, 'the repeats stored nothing')
  t.match(app.db.$client.prepare('select name, status from rsvps where token = ?').get(ann), { name: 'Ann', status: 'going' }, 'and changed nothing')
  t.same(await publicCounts(app, picket.id), counts, 'the counts did not move')

  await app.dispatcher.drain()
  t.same(subjects(smtp, 'ann@example.com').sort(), [`Confirm your place: ${picket.title}`, `Confirm your place: ${picket.title}`, `You're going: ${picket.title}`, `Your RSVP: ${picket.title}`])
  for (const m of smtp.to('ann@example.com')) t.match(m.parsed.text, `/rsvps/${ann}`, `${m.parsed.subject}: the owner gets their own link`)
  for (const m of smtp.to('ann@example.com')) t.match(m.parsed.text, /^Dear Ann,/, "the earlier person's name, not the repeat's")

  // The form: new and repeat land on the same page, with no token in it.
  const session = await formSession(app, `/pickets/${picket.id}`)
  const landing = await Promise.all(
    ['cy@example.com', 'ann@example.com'].map((email) => postForm(app, `/pickets/${picket.id}/rsvps`, { name: 'Cy', email }, session)),
  )
  t.same(landing.map((r) => [r.statusCode, r.headers.location]), [[303, `/pickets/${picket.id}/check-your-mailbox`], [303, `/pickets/${picket.id}/check-your-mailbox`]])
  t.equal(landing[0]!.body, landing[1]!.body)
  t.same(await publicCounts(app, picket.id), counts)
})

t.test('without confirmation, a repeat answers as a new RSVP would and takes no second place', async (t) => {
  const { app, smtp, campaignId } = await picketApp(t, undefined, { confirmRsvps: false })
  const picket = schedule(app, campaignId, { capacity: 2 })
  const first = await jsonRsvp(app, picket.id, { name: 'Ann', email: 'ann@example.com' })
  const again = await jsonRsvp(app, picket.id, { name: 'Ann', email: 'ann@example.com' })
  for (const res of [first, again]) {
    t.same(Object.keys(res.json()), ['rsvp'])
    t.match(res.json().rsvp, { id: /^[\w-]{16}$/, status: 'going' })
  }
  t.match(app.pickets.picket(picket.id), { goingCount: 1, waitlistedCount: 0 })
  const ann = tokenOf(app, picket.id, 'ann@example.com')
  await app.dispatcher.drain()
  t.same(subjects(smtp, 'ann@example.com').sort(), [`You're going: ${picket.title}`, `Your RSVP: ${picket.title}`])
  for (const m of smtp.to('ann@example.com')) t.match(m.parsed.text, `/rsvps/${ann}`)
  t.equal(statusOf(app, ann), 'going')
})

for (const confirmRsvps of [true, false]) {
  t.test(`the time an RSVP takes does not tell a repeat from a new one (confirmation ${confirmRsvps ? 'on' : 'off'})`, async (t) => {
    const { app, campaignId } = await picketApp(t, undefined, { confirmRsvps })
    const picket = schedule(app, campaignId)
    const N = 40
    // Earlier RSVPs: with confirmation, half left pending and half confirmed (the "is this person going?" a watcher wants).
    for (let i = 0; i < N; i++) {
      await jsonRsvp(app, picket.id, { name: 'Old Supporter', email: `old${i}@example.com` })
      if (confirmRsvps && i % 2) await confirm(app, tokenOf(app, picket.id, `old${i}@example.com`))
    }
    const timed = async (email: string) => {
      const start = process.hrtime.bigint()
      const res = await jsonRsvp(app, picket.id, { name: 'Supporter', email })
      const ms = Number(process.hrtime.bigint() - start) / 1e6
      if (res.statusCode !== 201) throw new Error(res.body)
      return ms
    }
    for (let i = 0; i < 10; i++) await timed(`warm${i}@example.com`)
    const fresh: number[] = []
    const repeat: number[] = []
    // Interleaved, alternating which goes first.
    for (let i = 0; i < N; i++) {
      if (i % 2) {
        fresh.push(await timed(`new${i}@example.com`))
        repeat.push(await timed(`old${i}@example.com`))
      } else {
        repeat.push(await timed(`old${i}@example.com`))
        fresh.push(await timed(`new${i}@example.com`))
      }
    }
    const [a, b] = [median(fresh), median(repeat)]
    t.comment(`median new ${a.toFixed(3)} ms, repeat ${b.toFixed(3)} ms, difference ${(b - a).toFixed(3)} ms`)
    t.ok(Math.abs(a - b) < 2, `medians within 2 ms (new ${a.toFixed(3)}, repeat ${b.toFixed(3)})`)
    t.equal(tableCount(app, 'rsvps', `picket_id = ${picket.id} and email_normalized like 'new%'`), N, 'the new ones were stored')
    t.equal(tableCount(app, 'rsvps', `picket_id = ${picket.id} and email_normalized like 'old%'`), N, 'the repeats were not')
  })
}

t.test('without confirmation, every public count is read at most every PUBLIC_COUNT_DELAY; with it, confirmed RSVPs show at once', async (t) => {
  const { app, clock, campaignId } = await picketApp(t, undefined, { confirmRsvps: false })
  const picket = schedule(app, campaignId, { capacity: 10 })
  const surfaces = async () => {
    const json = await publicCounts(app, picket.id)
    const page = (await app.inject(`/pickets/${picket.id}`)).body
    const list = (await app.inject('/campaigns/zhanaozen/pickets')).body
    const campaignApi = (await app.inject('/api/campaigns/zhanaozen/pickets')).json().find((p: { id: number }) => p.id === picket.id)
    return {
      json,
      page: /(\d+) of 10 left · (\d+) going/.exec(page)?.slice(1).join('/'),
      list: /(\d+) places left/.exec(list.slice(list.indexOf(`/pickets/${picket.id}"`)))?.[1],
      campaignApi: { going: campaignApi.going, waitlisted: campaignApi.waitlisted },
    }
  }
  const before = await surfaces()
  t.same(before, { json: { going: 0, waitlisted: 0 }, page: '10/0', list: '10', campaignApi: { going: 0, waitlisted: 0 } })
  await rsvp(app, picket.id, 'ann@example.com')
  t.match(app.pickets.picket(picket.id), { goingCount: 1 }, 'it counts at once')
  t.same(await surfaces(), before, 'but no public count moves at once')
  const campaignPage = (await app.inject('/campaigns/zhanaozen')).body
  t.match(campaignPage.slice(campaignPage.indexOf(`/pickets/${picket.id}"`)), /^[^]*?10 places left/, 'nor on the campaign page')
  clock.advance(299_000)
  t.same(await surfaces(), before, 'still the same just before PUBLIC_COUNT_DELAY (300 s)')
  clock.advance(1000)
  t.same(await surfaces(), { json: { going: 1, waitlisted: 0 }, page: '9/1', list: '9', campaignApi: { going: 1, waitlisted: 0 } }, 'then read afresh')

  // With confirmation, only confirmed RSVPs move the counts, and they may show at once.
  setConfirmRsvps(app, campaignId, true)
  await rsvp(app, picket.id, 'bea@example.com')
  t.same((await surfaces()).json, { going: 2, waitlisted: 0 })
})

t.test('at most 3 anonymous mails a day to one address; past that the answer is the same and nothing goes', async (t) => {
  const { app, smtp, clock, campaignId } = await picketApp(t)
  const pickets = [schedule(app, campaignId), schedule(app, campaignId), schedule(app, campaignId)]
  const answers = []
  // A watcher (or a spammer) submits one address again and again.
  for (let i = 0; i < 5; i++) answers.push(await jsonRsvp(app, pickets[i % 2]!.id, { name: 'Victim', email: 'victim@example.com' }))
  for (const res of answers) t.match(res, { statusCode: 201 }) && t.match(res.json(), { rsvp: { status: 'pending_confirmation' } })
  await app.dispatcher.drain()
  t.equal(smtp.to('victim@example.com').length, 3, 'three mails, not five')
  t.equal(tableCount(app, 'outbox', "recipient like '%victim@example.com%'"), 3)
  // The cap counts with aliases folded, and a new RSVP past it is still stored (confirmable from an earlier mail? no: it waits).
  const past = await jsonRsvp(app, pickets[2]!.id, { name: 'Victim', email: 'Victim@example.com' })
  t.equal(past.statusCode, 201)
  t.equal(tableCount(app, 'rsvps', "email_normalized = 'victim@example.com'"), 3)
  await app.dispatcher.drain()
  t.equal(smtp.to('victim@example.com').length, 3)
  // What a supporter does from the mailbox is not capped: confirming sends "You're going".
  await confirm(app, tokenOf(app, pickets[0]!.id, 'victim@example.com'))
  await app.dispatcher.drain()
  t.equal(subjects(smtp, 'victim@example.com').filter((s) => s.startsWith("You're going")).length, 1)
  // Tomorrow (UTC) the address can be mailed again.
  clock.advance(24 * 3_600_000)
  await jsonRsvp(app, pickets[2]!.id, { name: 'Victim', email: 'victim@example.com' })
  await app.dispatcher.drain()
  t.equal(subjects(smtp, 'victim@example.com').filter((s) => s.startsWith('Confirm your place')).length, 4)
})

t.test('mail to an address that has not confirmed carries nothing the submitter typed but their name', async (t) => {
  const { app, smtp, campaignId } = await picketApp(t)
  const picket = schedule(app, campaignId)
  await jsonRsvp(app, picket.id, { name: 'Zed Quux', email: 'first@example.com', consent: true })
  await jsonRsvp(app, picket.id, { name: 'Zed Quux', email: 'second@example.org', consent: false })
  await app.dispatcher.drain()
  const [a, b] = [smtp.to('first@example.com')[0]!.parsed, smtp.to('second@example.org')[0]!.parsed]
  const strip = (text: string, token: string) => text.replaceAll(token, 'TOKEN')
  t.equal(strip(a.text!, tokenOf(app, picket.id, 'first@example.com')), strip(b.text!, tokenOf(app, picket.id, 'second@example.org')), 'the same mail for any address and consent, but for the link')
  t.equal(strip(String(a.html), tokenOf(app, picket.id, 'first@example.com')), strip(String(b.html), tokenOf(app, picket.id, 'second@example.org')))
  t.match(a.text, /^Dear Zed Quux,/)
  t.notMatch(a.text, 'first@example.com')
  t.equal(a.attachments.length, 0)
})

t.test("a draft campaign's pickets, lists, feeds, .ics files and RSVP endpoints answer 404 to the public", async (t) => {
  const { app, campaignId } = await picketApp(t)
  const picket = schedule(app, campaignId)
  const session = await formSession(app, `/pickets/${picket.id}`)
  await rsvp(app, picket.id, 'ann@example.com')
  const ann = tokenOf(app, picket.id, 'ann@example.com')
  const manage = await formSession(app, `/rsvps/${ann}`)
  const before = { rsvps: tableCount(app, 'rsvps'), outbox: tableCount(app, 'outbox') }
  app.db.$client.prepare("update campaigns set status = 'draft' where id = ?").run(campaignId)

  for (const url of [`/pickets/${picket.id}`, `/pickets/${picket.id}.ics`, `/pickets/${picket.id}/check-your-mailbox`, `/api/pickets/${picket.id}`, '/campaigns/zhanaozen/pickets', '/campaigns/zhanaozen/pickets.ics', '/api/campaigns/zhanaozen/pickets', `/rsvps/${ann}`, `/rsvps/${ann}/stop-reminders`]) {
    t.equal((await app.inject(url)).statusCode, 404, url)
  }
  t.equal((await postForm(app, `/pickets/${picket.id}/rsvps`, { name: 'Bea', email: 'bea@example.com' }, session)).statusCode, 404, 'RSVP form')
  t.equal((await jsonRsvp(app, picket.id, { name: 'Bea', email: 'bea@example.com' })).statusCode, 404, 'RSVP API')
  t.equal((await jsonRsvp(app, picket.id, { name: 'Bea', email: 'bea@example.com', website: 'x' })).statusCode, 404, 'even to a bot')
  for (const action of ['confirm', 'cancel']) t.equal((await postForm(app, `/rsvps/${ann}/${action}`, {}, manage)).statusCode, 404, action)
  t.equal((await app.inject({ method: 'POST', url: `/rsvps/${ann}/stop-reminders`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' })).statusCode, 404)
  t.same({ rsvps: tableCount(app, 'rsvps'), outbox: tableCount(app, 'outbox') }, before, 'nothing stored or mailed')
  t.equal(statusOf(app, ann), 'going')
  t.same(app.pickets.upcomingByPlace(campaignId), [], 'nor listed for the campaign page')
  t.ok(app.pickets.upcomingByPlace(campaignId, { preview: true }).length > 0, "but an organizer's preview lists them")

  app.db.$client.prepare("update campaigns set status = 'closed' where id = ?").run(campaignId)
  t.equal((await app.inject(`/pickets/${picket.id}`)).statusCode, 200, 'a closed campaign stays public')
})
