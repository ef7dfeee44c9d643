// Live preview of a letter template in the back office: re-renders as the organizer types.
// Without JavaScript, the form's "Preview" button does the same with a page reload.
(function () {
  var form = document.getElementById('template-form')
  var panel = document.getElementById('template-preview')
  if (!form || !panel || !window.fetch) return
  var url = form.getAttribute('data-preview-url')
  var subject = panel.querySelector('[data-preview-subject]')
  var body = panel.querySelector('[data-preview-body]')
  var error = panel.querySelector('[data-preview-error]')
  var timer = null
  var latest = 0

  function refresh() {
    var data = new URLSearchParams(new FormData(form))
    data.delete('_csrf')
    data.delete('intent')
    var ticket = ++latest
    fetch(url, { method: 'POST', body: data, headers: { accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (res) {
        return res.json().then(function (json) { return { ok: res.ok, json: json } })
      })
      .then(function (result) {
        if (ticket !== latest) return
        if (result.ok && result.json.ok !== false) {
          subject.textContent = result.json.subject
          body.textContent = result.json.body
          error.textContent = ''
        } else {
          var issues = (result.json && result.json.issues) || []
          error.textContent = issues.length ? issues.map(function (i) { return i.message }).join(' ') : error.getAttribute('data-no-preview') || ''
        }
      })
      .catch(function () {})
  }

  form.addEventListener('input', function () {
    clearTimeout(timer)
    timer = setTimeout(refresh, 300)
  })
  form.addEventListener('change', refresh)
})()
