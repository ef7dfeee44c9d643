// Check-in at the picket: the list narrows as a name is typed (case and accents ignored, as the server's
// search does). Without JavaScript the search box is a plain GET search. An address typed in full is left
// to the server (press Find): addresses are never on this page.
(function () {
  var input = document.querySelector('[data-check-in-filter]')
  if (!input) return
  var rows = Array.prototype.slice.call(document.querySelectorAll('.check-in-list > li[data-name]'))
  var none = document.querySelector('.check-in-none')
  var waitlist = document.querySelector('.check-in-waitlist')
  var goingRows = rows.filter(function (li) {
    return !waitlist || !waitlist.contains(li)
  })

  function fold(text) {
    return text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase().replace(/\s+/g, ' ').trim()
  }

  function filter() {
    var needle = fold(input.value)
    if (needle.indexOf('@') !== -1) return
    var waitingShown = 0
    rows.forEach(function (li) {
      var shown = !needle || li.getAttribute('data-name').indexOf(needle) !== -1
      li.hidden = !shown
      if (shown && waitlist && waitlist.contains(li)) waitingShown++
    })
    var goingShown = goingRows.filter(function (li) {
      return !li.hidden
    }).length
    if (none) {
      none.hidden = goingShown > 0
      none.textContent = needle ? none.getAttribute('data-no-match').replace('{q}', input.value.trim()) : none.getAttribute('data-nobody')
    }
    // Someone found only on the waiting list: open it.
    if (waitlist && needle && waitingShown) waitlist.open = true
  }

  input.addEventListener('input', filter)
})()
