// Staff portfolio enhancements. Every page works without this script; it only adds:
// - autosave: what is typed into the activity form is kept as a copy on the server, the person's
//   own (never in this browser's storage: a shared ward computer keeps nothing), sent when it has
//   changed, and offered back until the form is saved (tracker/portfolio/typed_copies.py);
// - search and course-driven ticking of behaviours;
// - a size check on evidence files before a long upload is attempted;
// - the "Print or save as PDF" button.

// A changed copy is sent this long after leaving a field (or ticking a box), and at least this
// often while typing goes on: often enough to lose little, rarely enough to cost the server little.
const AFTER_LEAVING_MS = 2000
const WHILE_TYPING_MS = 20000

// The fields worth keeping: typed text, choices and ticks. Never files, the CSRF token or the button.
// The new-activity form's creation key is kept with the text: a copy restored after a save whose
// answer never arrived is sent with the same key, so the server shows that activity, not a second.
const CREATION_KEY = 'creation_key'

function keptFields (form) {
  return Array.from(form.elements).filter((el) =>
    el.name && el.name !== 'csrf_token' && el.name !== 'action' && el.type !== 'file' &&
    el.type !== 'submit' && el.type !== 'button' && (el.type !== 'hidden' || el.name === CREATION_KEY) &&
    el.type !== 'search')
}

function snapshot (form) {
  const fields = {}
  for (const el of keptFields(form)) {
    if (el.type === 'checkbox') {
      fields[el.name] = fields[el.name] || []
      if (el.checked) fields[el.name].push(el.value)
    } else if (el.type === 'radio') {
      if (!(el.name in fields)) fields[el.name] = ''
      if (el.checked) fields[el.name] = el.value
    } else {
      fields[el.name] = el.value
    }
  }
  return fields
}

function sameFields (a, b) {
  // A fresh form has a key of its own: only what was typed tells whether the copy differs.
  const typed = (fields) => JSON.stringify({ ...fields, [CREATION_KEY]: undefined })
  return typed(a) === typed(b)
}

function apply (form, fields) {
  for (const el of keptFields(form)) {
    if (!(el.name in fields)) continue
    const value = fields[el.name]
    if (el.type === 'checkbox') {
      el.checked = Array.isArray(value) && value.includes(el.value)
      if (el.checked) openGroupOf(el)
    } else if (el.type === 'radio') {
      if (el.value === value && !el.checked) el.click() // a click fires change, which shows the model's questions
    } else {
      el.value = value
    }
  }
}

function openGroupOf (el) {
  const details = el.closest('details')
  if (details) details.open = true
}

function describeTime (iso) {
  const when = new Date(iso)
  if (Number.isNaN(when.getTime())) return 'an earlier visit'
  return when.toLocaleString('en-GB', { day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' })
}

// POST to the copy's address with the page's CSRF token. keepalive: the page may be going away.
function post (url, values, keepalive = false) {
  const body = new FormData()
  for (const [name, value] of Object.entries(values)) body.set(name, value)
  return fetch(url, {
    method: 'POST', body, credentials: 'same-origin', keepalive, headers: { Accept: 'application/json' }
  })
}

// The copy kept on the server from another visit to this form, or null.
async function earlierCopy (url, page) {
  try {
    const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
    if (!response.ok || response.redirected) return null
    const copy = await response.json()
    return copy.fields && copy.page !== page ? copy : null
  } catch (error) {
    return null
  }
}

async function offerEarlierCopy (form, url, page, keepNow) {
  const offer = document.querySelector('[data-autosave-offer]')
  const copy = offer && await earlierCopy(url, page)
  if (!copy || sameFields(copy.fields, snapshot(form))) return
  offer.querySelector('[data-autosave-when]').textContent = describeTime(copy.saved_at)
  offer.hidden = false
  offer.querySelector('[data-autosave-restore]').addEventListener('click', () => {
    apply(form, copy.fields)
    keepNow()
    offer.hidden = true
    const first = form.querySelector('textarea, input[type="text"]')
    if (first) first.focus()
  })
  offer.querySelector('[data-autosave-discard]').addEventListener('click', () => {
    post(`${url}/forget`, { csrf_token: form.elements.csrf_token.value }).catch(() => {})
    offer.hidden = true
  })
}

function initAutosave () {
  const form = document.querySelector('form[data-typed-copy-url]')
  if (!form) return
  const url = form.dataset.typedCopyUrl
  const token = form.elements.csrf_token.value
  const page = form.elements.typing_page.value
  const note = document.querySelector('[data-autosave-note]')
  if (note) note.hidden = false

  let keeping = true
  // What the server holds from this page. The form as drawn is nothing typed; a form sent back
  // with the person's own (checked) text in it is the copy to keep at once.
  let sent = form.dataset.autosaveState === 'returned' ? null : JSON.stringify(snapshot(form))
  let timer = null
  let dueAt = Infinity

  function send (keepalive = false) {
    window.clearTimeout(timer)
    timer = null
    dueAt = Infinity
    const fields = JSON.stringify(snapshot(form))
    if (!keeping || fields === sent) return
    sent = fields
    post(url, { csrf_token: token, page, fields }, keepalive).then((response) => {
      if (response.status === 429 || response.status >= 500) retry(fields)
    }, () => retry(fields))
  }
  // Not kept (the server was busy or out of reach): try again a little later.
  function retry (fields) {
    if (sent === fields) sent = null
    sendWithin(WHILE_TYPING_MS)
  }
  function sendWithin (ms) {
    if (!keeping || Date.now() + ms >= dueAt) return
    window.clearTimeout(timer)
    dueAt = Date.now() + ms
    timer = window.setTimeout(() => send(), ms)
  }

  if (sent === null) send()
  else offerEarlierCopy(form, url, page, () => send())
  form.addEventListener('input', () => sendWithin(WHILE_TYPING_MS))
  form.addEventListener('change', () => sendWithin(AFTER_LEAVING_MS))
  // Sending the form carries the text itself: no copy goes alongside it (two writes at once can
  // meet a locked SQLite database). The latest text goes when the page is left, after the form's
  // answer has come: the server drops a copy from a page whose form it has saved.
  form.addEventListener('submit', () => {
    window.clearTimeout(timer)
    timer = null
    dueAt = Infinity
  })
  // Not when the page is left by signing out (another form: the copies go at sign-out), nor when
  // the session is ending (the time-out warning is open and saves the form itself as a draft).
  let signingOut = false
  document.addEventListener('submit', (event) => {
    if (event.target !== form && !event.defaultPrevented) signingOut = true // not "Stay signed in"
  })
  window.addEventListener('pagehide', () => {
    const warning = document.querySelector('[data-session-timeout]')
    if (!signingOut && !(warning && warning.open)) send(true)
  })
  // "Forget what I typed": no copy is kept, now or while this page stays open.
  const forgetButton = document.querySelector('[data-autosave-forget]')
  if (forgetButton) {
    forgetButton.addEventListener('click', () => {
      keeping = false
      window.clearTimeout(timer)
      post(`${url}/forget`, { csrf_token: token, page }).catch(() => {})
      const offer = document.querySelector('[data-autosave-offer]')
      if (offer) offer.hidden = true
      document.querySelector('[data-autosave-forgotten]').textContent =
        'We no longer keep a copy of what you typed on this form.'
    })
  }
}

// Show only the questions of the chosen reflection model (all of them are shown without this script).
function initReflectionModels () {
  const radios = Array.from(document.querySelectorAll('input[name="reflection_model"]'))
  const sections = Array.from(document.querySelectorAll('[data-reflection-model]'))
  if (!radios.length || !sections.length) return
  const sync = () => {
    const chosen = radios.find((radio) => radio.checked)
    for (const section of sections) {
      section.hidden = !chosen || section.dataset.reflectionModel !== chosen.value
    }
  }
  for (const radio of radios) radio.addEventListener('change', sync)
  sync()
}

function initBehaviourSearch () {
  const box = document.querySelector('[data-behaviour-search]')
  if (!box) return
  const input = box.querySelector('input')
  const status = box.querySelector('[aria-live]')
  const groups = Array.from(document.querySelectorAll('.app-behaviour-group'))
  box.hidden = false
  input.addEventListener('input', () => {
    const words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean)
    let matches = 0
    for (const group of groups) {
      let groupMatches = 0
      for (const item of group.querySelectorAll('.nhsuk-checkboxes__item')) {
        const text = item.textContent.toLowerCase()
        const show = words.every((word) => text.includes(word))
        item.hidden = !show
        if (show) groupMatches += 1
      }
      group.hidden = words.length > 0 && groupMatches === 0
      if (words.length > 0 && groupMatches > 0) group.open = true
      matches += groupMatches
    }
    // A domain heading stays only while one of its subjects is showing.
    for (const heading of document.querySelectorAll('.app-domain-heading')) {
      let next = heading.nextElementSibling
      let showing = false
      while (next && !next.classList.contains('app-domain-heading')) {
        if (next.classList.contains('app-behaviour-group') && !next.hidden) showing = true
        next = next.nextElementSibling
      }
      heading.hidden = !showing
    }
    status.textContent = words.length ? `${matches} ${matches === 1 ? 'behaviour matches' : 'behaviours match'}` : ''
  })
}

function initCourseTicks () {
  const select = document.querySelector('.app-course-select')
  if (!select) return
  select.addEventListener('change', () => {
    const option = select.options[select.selectedIndex]
    const ids = (option && option.dataset.behaviours ? option.dataset.behaviours : '').split(' ').filter(Boolean)
    for (const id of ids) {
      const box = document.querySelector(`input[name="behaviour_ids"][value="${CSS.escape(id)}"]`)
      if (box && !box.checked) {
        box.checked = true
        openGroupOf(box)
      }
    }
  })
}

function showFileError (input, message) {
  const group = input.closest('.nhsuk-form-group')
  let error = group.querySelector('.app-file-error')
  if (!error) {
    error = document.createElement('span')
    error.className = 'nhsuk-error-message app-file-error'
    error.id = 'evidence-client-error'
    input.before(error)
    input.setAttribute('aria-describedby', `${input.getAttribute('aria-describedby') || ''} ${error.id}`.trim())
  }
  error.textContent = ''
  const hidden = document.createElement('span')
  hidden.className = 'nhsuk-u-visually-hidden'
  hidden.textContent = 'Error: '
  error.append(hidden, message)
  group.classList.add('nhsuk-form-group--error')
  input.focus()
}

function initFileChecks () {
  const form = document.querySelector('form[data-max-file-bytes]')
  const input = form && form.querySelector('input[type="file"]')
  if (!input) return
  const maxBytes = Number(form.dataset.maxFileBytes)
  const maxFiles = Number(form.dataset.maxFiles)
  form.addEventListener('submit', (event) => {
    const files = Array.from(input.files || [])
    const attached = form.querySelectorAll('input[name="remove_evidence"]').length
    const removing = form.querySelectorAll('input[name="remove_evidence"]:checked').length
    const tooBig = files.find((file) => file.size > maxBytes)
    let message = ''
    if (tooBig) {
      message = `The selected file ${tooBig.name} is larger than 10 MB`
    } else if (attached - removing + files.length > maxFiles) {
      message = `You can attach up to ${maxFiles} files to an activity`
    }
    if (message) {
      event.preventDefault()
      event.stopImmediatePropagation()
      showFileError(input, message)
    }
  })
}

function initPrint () {
  for (const button of document.querySelectorAll('[data-print-page]')) {
    button.hidden = false
    button.addEventListener('click', () => window.print())
  }
}

initReflectionModels()
initAutosave()
initBehaviourSearch()
initCourseTicks()
initFileChecks()
initPrint()
