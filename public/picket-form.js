// The picket form in the back office: the time zone follows the country and city (the server suggests it,
// so the rule lives in one place) unless the organizer chose one by hand, and the start reads back as
// "Saturday 16 December, 12:00 in London", with the organizer's own time beside it when it differs.
// Without JavaScript the server does both: an empty zone is suggested on submit, the preview is on the page.
(function () {
  var form = document.getElementById('picket-form')
  if (!form) return
  var zone = form.querySelector('select[name=timeZone]')
  var country = form.querySelector('[name=country]')
  var city = form.querySelector('[name=city]')
  var starts = form.querySelector('[name=startsLocal]')
  var preview = document.getElementById('local-preview')
  if (!zone || !country || !city || !starts || !preview) return
  var venueText = preview.querySelector('[data-preview-venue]')
  var yoursText = preview.querySelector('[data-preview-yours]')
  var locale = preview.getAttribute('data-locale') || document.documentElement.lang || 'en'

  // A zone other than the suggested one was chosen by hand: the script leaves it alone from then on.
  var byHand = zone.value !== '' && zone.value !== zone.getAttribute('data-suggested')
  zone.addEventListener('change', function () {
    byHand = zone.value !== ''
    if (!byHand) suggestNow()
    updatePreview()
  })

  var timer = null
  var latest = 0
  function suggestSoon() {
    clearTimeout(timer)
    timer = setTimeout(suggestNow, 400)
  }
  function suggestNow() {
    clearTimeout(timer)
    if (!window.fetch || !country.value) return
    var query = new URLSearchParams({ country: country.value, city: city.value.slice(0, 100), startsLocal: starts.value.slice(0, 16) })
    var ticket = ++latest
    fetch(zone.getAttribute('data-suggest-url') + '?' + query.toString(), { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (res) {
        return res.ok ? res.json() : null
      })
      .then(function (answer) {
        if (!answer || ticket !== latest) return
        showCountryZones(answer.zones || [], answer.zonesLabel)
        zone.setAttribute('data-suggested', answer.timeZone || '')
        if (!byHand) zone.value = answer.timeZone || ''
        updatePreview()
      })
      .catch(function () {})
  }

  /** The country's zones, first in the list (rebuilt when the country changes). */
  function showCountryZones(zones, label) {
    var group = zone.querySelector('optgroup[data-country-zones]')
    var chosen = zone.value
    if (!zones.length) {
      if (group) group.remove()
      zone.value = chosen
      return
    }
    if (!group) {
      group = document.createElement('optgroup')
      group.setAttribute('data-country-zones', '')
      zone.insertBefore(group, zone.options[0] ? zone.options[0].nextSibling : null)
    }
    group.label = label || ''
    group.replaceChildren()
    zones.forEach(function (z) {
      var option = document.createElement('option')
      option.value = z.value
      option.textContent = z.label
      group.appendChild(option)
    })
    zone.value = chosen
  }

  function fill(pattern, values) {
    return pattern.replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : all
    })
  }

  /** Minutes `tz` is ahead of GMT at the instant `ms`. */
  function offsetAt(tz, ms) {
    var parts = {}
    new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(new Date(ms))
      .forEach(function (p) {
        parts[p.type] = p.value
      })
    var asGmt = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour % 24, +parts.minute)
    return Math.round((asGmt - Math.floor(ms / 60000) * 60000) / 60000)
  }

  function updatePreview() {
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(starts.value)
    if (!m) {
      venueText.textContent = ''
      yoursText.textContent = ''
      return
    }
    var tz = zone.value || zone.getAttribute('data-suggested') || ''
    var wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5])
    var date = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long' }).format(new Date(wall))
    date = date.charAt(0).toLocaleUpperCase(locale) + date.slice(1)
    var time = m[4] + ':' + m[5]
    var place = city.value.trim() || (tz ? tz.split('/').pop().replace(/_/g, ' ') : '')
    venueText.textContent = place
      ? fill(preview.getAttribute('data-pattern'), { date: date, time: time, city: place })
      : fill(preview.getAttribute('data-pattern-no-city'), { date: date, time: time })
    yoursText.textContent = ''
    var mine
    try {
      mine = Intl.DateTimeFormat().resolvedOptions().timeZone
      if (!tz || !mine || mine === tz) return
      // The instant the venue's clocks show that time (twice, for a change of offset in between).
      var at = wall - offsetAt(tz, wall) * 60000
      at = wall - offsetAt(tz, at) * 60000
    } catch (e) {
      return // a zone this browser does not know
    }
    var here = new Date(at)
    var hereTime = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(here)
    var sameDay = here.getFullYear() === +m[1] && here.getMonth() === +m[2] - 1 && here.getDate() === +m[3]
    if (sameDay && hereTime === time) return
    var shown = sameDay ? hereTime : new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short' }).format(here) + ', ' + hereTime
    yoursText.textContent = fill(preview.getAttribute('data-your-time'), { time: shown })
  }

  country.addEventListener('change', suggestNow)
  city.addEventListener('input', suggestSoon)
  city.addEventListener('change', suggestNow)
  starts.addEventListener('input', updatePreview)
  starts.addEventListener('change', updatePreview)
  updatePreview()
})()
