// The letter-template editor's placeholder buttons: each plain name ("Supporter's city") becomes a
// button that puts its placeholder ({{supporter.city}}) at the cursor of the subject or the text,
// whichever was used last, and gives the focus back there. Without JavaScript the same list stays
// a reference of names and placeholders to type by hand.
(function () {
  var form = document.getElementById('template-form')
  var picker = document.getElementById('placeholder-picker')
  if (!form || !picker) return
  var subject = form.querySelector('[name=subject]')
  var body = form.querySelector('[name=body]')
  var status = picker.querySelector('[data-picker-status]')
  var template = status ? status.getAttribute('data-inserted') || '' : ''
  var last = body

  function remember(event) {
    last = event.target
  }
  subject.addEventListener('focus', remember)
  body.addEventListener('focus', remember)

  function insert(field, text) {
    var start = field.selectionStart == null ? field.value.length : field.selectionStart
    var end = field.selectionEnd == null ? start : field.selectionEnd
    // A subject is one line: a block's line breaks become spaces there.
    if (field.tagName === 'INPUT') text = text.replace(/\s*\n\s*/g, ' ')
    field.focus()
    field.setSelectionRange(start, end)
    // insertText keeps the browser's undo; where it is missing, set the text and say so to the preview.
    var done = false
    try {
      done = document.execCommand('insertText', false, text)
    } catch (e) {
      done = false
    }
    if (!done || field.value.slice(start, start + text.length) !== text) {
      field.setRangeText(text, start, end, 'end')
      field.dispatchEvent(new Event('input', { bubbles: true }))
    }
  }

  var items = picker.querySelectorAll('li[data-insert]')
  for (var i = 0; i < items.length; i++) {
    var item = items[i]
    var button = document.createElement('button')
    button.type = 'button'
    button.className = 'outline'
    button.title = item.getAttribute('data-insert')
    button.setAttribute('data-insert', item.getAttribute('data-insert'))
    button.setAttribute('data-name', item.getAttribute('data-name'))
    while (item.firstChild) button.appendChild(item.firstChild)
    item.appendChild(button)
    button.addEventListener('click', function (event) {
      var b = event.currentTarget
      insert(last, b.getAttribute('data-insert'))
      if (status) status.textContent = template.replace('{name}', b.getAttribute('data-name'))
    })
  }
  picker.classList.add('has-buttons')
  var hint = picker.querySelector('[data-picker-hint]')
  var noScript = picker.querySelector('[data-picker-no-script]')
  if (hint) hint.hidden = false
  if (noScript) noScript.hidden = true
})()
