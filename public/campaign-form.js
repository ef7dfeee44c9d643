// The campaign form in the back office. Without JavaScript everything still works: an empty slug on a new
// campaign is made from the title by the server, and the address below the field shows the saved one.
(function () {
  var form = document.getElementById('campaign-form')
  if (!form) return
  var slug = form.querySelector('input[name=slug]')
  var title = form.querySelector('[name=title]')
  var address = document.querySelector('[data-slug-address]')

  // The address supporters will find the campaign at, as the slug is typed or suggested.
  function showAddress() {
    if (!address || !slug) return
    address.textContent = address.getAttribute('data-base') + (slug.value.trim() || '…')
  }

  // A new campaign: the slug follows the title (asked from the server, which owns the rules) until the
  // organizer types one themself; emptying the field makes it follow the title again.
  var url = form.getAttribute('data-slug-suggestion-url')
  if (slug && title && url && window.fetch) {
    var ownSlug = slug.value.trim() !== ''
    var timer = null
    var latest = 0
    var suggest = function () {
      var ticket = ++latest
      fetch(url + '?title=' + encodeURIComponent(title.value), { headers: { accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (res) {
          return res.ok ? res.json() : null
        })
        .then(function (json) {
          if (!json || ticket !== latest || ownSlug || typeof json.slug !== 'string') return
          slug.value = json.slug
          showAddress()
        })
        .catch(function () {})
    }
    slug.addEventListener('input', function () {
      ownSlug = slug.value.trim() !== ''
      if (!ownSlug) suggest()
    })
    title.addEventListener('input', function () {
      if (ownSlug) return
      clearTimeout(timer)
      timer = setTimeout(suggest, 300)
    })
    if (!ownSlug && title.value.trim()) suggest()
  }
  if (slug) slug.addEventListener('input', showAddress)

  // The main language is always one of the campaign's: its box among the others is ticked and locked.
  var main = form.querySelector('select[name=mainLanguage]')
  var boxes = form.querySelectorAll('input[type=checkbox][name=languages]')
  function lockMain() {
    for (var i = 0; i < boxes.length; i++) {
      var isMain = boxes[i].value === main.value
      if (isMain) boxes[i].setAttribute('data-was-checked', boxes[i].checked ? '1' : '')
      else if (boxes[i].disabled) boxes[i].checked = boxes[i].getAttribute('data-was-checked') === '1'
      boxes[i].disabled = isMain
      if (isMain) boxes[i].checked = true
    }
  }
  if (main && boxes.length) {
    main.addEventListener('change', lockMain)
    lockMain()
  }
})()
