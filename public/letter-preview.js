// Live preview: re-renders the appeal as the supporter types. Without JavaScript,
// the "Preview my letter" button does the same with a page reload.
(function () {
  var form = document.getElementById('letter-form')
  if (!form || !window.fetch) return
  var url = form.getAttribute('data-preview-url')
  var timer = null
  var officials = form.querySelector('[data-officials]')
  // Officials ticked for the supporter (suggested for their country), not by them: a new country
  // replaces them. The server marks those it ticked after a preview without JavaScript.
  var autoTicked = {}
  // Once the supporter ticks or unticks an official themselves, the ticks are theirs alone.
  var byHand = false
  eachOfficial(function (box) {
    if (box.hasAttribute('data-auto-ticked')) autoTicked[box.value] = true
  })

  function eachOfficial(fn) {
    var boxes = form.querySelectorAll('input[type=checkbox][name=target]')
    for (var i = 0; i < boxes.length; i++) fn(boxes[i])
  }

  // True while the ticks are only suggestions: every ticked official was ticked for the supporter.
  function onlyAutoTicked() {
    if (byHand) return false
    var only = true
    eachOfficial(function (box) {
      if (box.checked && !autoTicked[box.value]) only = false
    })
    return only
  }

  // Puts the officials in the server's order for the country, marks and (if the supporter has
  // ticked nothing of their own) ticks the suggested ones.
  function suggest(order, suggested) {
    if (!officials || !order) return
    var isSuggested = {}
    for (var i = 0; i < (suggested || []).length; i++) isSuggested[suggested[i]] = true
    var retick = onlyAutoTicked()
    var anchor = officials.querySelector('legend')
    for (var j = 0; j < order.length; j++) {
      var label = officials.querySelector('[data-official="' + order[j] + '"]')
      if (!label) continue
      // Move only what is out of place, so a focused box keeps its focus.
      var next = anchor ? anchor.nextElementSibling : officials.firstElementChild
      if (next !== label) officials.insertBefore(label, next)
      anchor = label
      var mark = label.querySelector('[data-suggested-mark]')
      if (mark) mark.hidden = !isSuggested[order[j]]
    }
    if (!retick) return
    var ticked = {}
    eachOfficial(function (box) {
      box.checked = !!isSuggested[box.value]
      if (box.checked) ticked[box.value] = true
    })
    autoTicked = ticked
  }

  function ensurePanel() {
    var panel = document.getElementById('preview')
    if (panel) return panel
    panel = document.createElement('article')
    panel.className = 'preview'
    panel.id = 'preview'
    panel.setAttribute('aria-live', 'polite')
    var header = document.createElement('header')
    var to = document.createElement('small')
    to.setAttribute('data-preview-to', '')
    var subject = document.createElement('strong')
    subject.setAttribute('data-preview-subject', '')
    header.appendChild(to)
    header.appendChild(document.createElement('br'))
    header.appendChild(subject)
    var body = document.createElement('div')
    body.className = 'letter-body'
    body.setAttribute('data-preview-body', '')
    panel.appendChild(header)
    panel.appendChild(body)
    var button = form.querySelector('button[value="preview"]')
    button.parentNode.insertBefore(panel, button.nextSibling)
    return panel
  }

  var asked = 0

  function refresh() {
    var ask = ++asked
    var data = new URLSearchParams(new FormData(form))
    data.delete('_csrf')
    // Ticks that were only suggestions follow the country: the server previews its first suggestion.
    if (onlyAutoTicked()) data.delete('target')
    fetch(url, { method: 'POST', body: data, headers: { accept: 'application/json' } })
      .then(function (res) { return res.ok ? res.json() : null })
      .then(function (preview) {
        // An answer overtaken by a later question (another country, more typing) is dropped.
        if (!preview || ask !== asked) return
        suggest(preview.officials, preview.suggested)
        var panel = ensurePanel()
        var to = panel.querySelector('[data-preview-to]')
        // The heading in the page's language, the letter in its own (marked with lang for readers).
        if (to) to.textContent = preview.to || 'To ' + preview.target
        var subject = panel.querySelector('[data-preview-subject]')
        var body = panel.querySelector('[data-preview-body]')
        subject.textContent = preview.subject
        body.textContent = preview.body
        if (preview.language) {
          subject.setAttribute('lang', preview.language)
          body.setAttribute('lang', preview.language)
        }
      })
      .catch(function () {})
  }

  form.addEventListener('input', function () {
    clearTimeout(timer)
    timer = setTimeout(refresh, 250)
  })
  // The pickets in the supporter's country come first and are marked, as the server orders them for a
  // chosen country (the page itself is the same for everyone: it is cached).
  function picketsNear(code) {
    var list = document.querySelector('[data-pickets]')
    var groups = list ? list.querySelectorAll('[data-picket-country]') : []
    if (!groups.length) return
    var first = groups[0]
    for (var i = 0; i < groups.length; i++) {
      var near = groups[i].getAttribute('data-picket-country') === code
      var mark = groups[i].querySelector('[data-near]')
      if (mark && !near) mark.parentNode.removeChild(mark)
      if (!near) continue
      if (!mark) {
        mark = document.createElement('mark')
        mark.setAttribute('data-near', '')
        mark.textContent = list.getAttribute('data-near-label')
        var heading = groups[i].querySelector('h3')
        heading.appendChild(document.createTextNode(' '))
        heading.appendChild(mark)
      }
      if (groups[i] !== first) first.parentNode.insertBefore(groups[i], first)
    }
  }

  form.addEventListener('change', function (event) {
    // A box the supporter ticks or unticks is their choice: suggestions no longer change the ticks.
    if (event.target && event.target.name === 'target') byHand = true
    if (event.target && event.target.name === 'country') picketsNear(String(event.target.value || '').toUpperCase())
    refresh()
  })
})()
