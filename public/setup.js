// The first-run link carries its one-time code in the fragment (#…), which the browser never sends:
// it goes into the form here, is kept for this tab only (so switching the page's language keeps it),
// and leaves the address bar.
;(() => {
  const input = document.querySelector('input[name="code"]')
  if (!input) return
  const fromLink = decodeURIComponent(location.hash.slice(1))
  if (fromLink) {
    sessionStorage.setItem('outcry-setup-code', fromLink)
    history.replaceState(null, '', location.pathname + location.search)
  }
  if (!input.value) input.value = sessionStorage.getItem('outcry-setup-code') ?? ''
  if (input.value) document.getElementById('setup-code').hidden = true
})()
