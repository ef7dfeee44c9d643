// Live preview: re-renders the appeal as the supporter types. Without JavaScript,
// the "Preview my letter" button does the same with a page reload.
(function () {
  var form = document.getElementById('letter-form')
  if (!form || !window.fetch) return
  var url = form.getAttribute('data-preview-url')
  var timer = null

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

  function refresh() {
    var data = new URLSearchParams(new FormData(form))
    data.delete('_csrf')
    fetch(url, { method: 'POST', body: data, headers: { accept: 'application/json' } })
      .then(function (res) { return res.ok ? res.json() : null })
      .then(function (preview) {
        if (!preview) return
        var panel = ensurePanel()
        var to = panel.querySelector('[data-preview-to]')
        if (to) to.textContent = 'To ' + preview.target
        panel.querySelector('[data-preview-subject]').textContent = preview.subject
        panel.querySelector('[data-preview-body]').textContent = preview.body
      })
      .catch(function () {})
  }

  form.addEventListener('input', function () {
    clearTimeout(timer)
    timer = setTimeout(refresh, 250)
  })
  form.addEventListener('change', refresh)
})()
