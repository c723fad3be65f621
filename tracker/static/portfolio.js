// Staff portfolio enhancements. Every page works without this script; it only adds:
// - autosave: what is typed into the activity form is kept in this browser (localStorage,
//   keyed by person and form) and offered back, until the server says the form was saved;
// - search and course-driven ticking of behaviours;
// - a size check on evidence files before a long upload is attempted;
// - the "Print or save as PDF" button.

const PREFIX = 'tracker-autosave:'
const MAX_AGE_DAYS = 30

function storageAvailable () {
  try {
    const probe = PREFIX + 'probe'
    window.localStorage.setItem(probe, '1')
    window.localStorage.removeItem(probe)
    return true
  } catch (error) {
    return false
  }
}

function read (key) {
  try {
    const saved = JSON.parse(window.localStorage.getItem(PREFIX + key))
    if (!saved || !saved.fields) return null
    const ageDays = (Date.now() - Date.parse(saved.savedAt)) / 86400000
    if (!(ageDays < MAX_AGE_DAYS)) {
      window.localStorage.removeItem(PREFIX + key)
      return null
    }
    return saved
  } catch (error) {
    return null
  }
}

function write (key, fields) {
  try {
    window.localStorage.setItem(PREFIX + key, JSON.stringify({ savedAt: new Date().toISOString(), fields }))
  } catch (error) {
    // Storage full or blocked: typing goes on, only the safety copy is lost.
  }
}

function forget (key) {
  try { window.localStorage.removeItem(PREFIX + key) } catch (error) {}
}

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

function initAutosave () {
  if (!storageAvailable()) return
  // Pages shown after a successful save carry these flags: the kept copy has done its job.
  for (const flag of document.querySelectorAll('[data-autosave-clear]')) {
    forget(flag.dataset.autosaveClear)
  }
  const form = document.querySelector('form[data-autosave-key]')
  if (!form) return
  const key = form.dataset.autosaveKey
  const state = form.dataset.autosaveState
  const note = document.querySelector('[data-autosave-note]')
  if (note) note.hidden = false

  if (state === 'returned') {
    // The server sent the form back with the person's own (checked) text in it: that is the copy to keep.
    write(key, snapshot(form))
  } else {
    const saved = read(key)
    const offer = document.querySelector('[data-autosave-offer]')
    if (saved && offer && !sameFields(saved.fields, snapshot(form))) {
      offer.querySelector('[data-autosave-when]').textContent = describeTime(saved.savedAt)
      offer.hidden = false
      offer.querySelector('[data-autosave-restore]').addEventListener('click', () => {
        apply(form, saved.fields)
        write(key, snapshot(form))
        offer.hidden = true
        const first = form.querySelector('textarea, input[type="text"]')
        if (first) first.focus()
      })
      offer.querySelector('[data-autosave-discard]').addEventListener('click', () => {
        forget(key)
        offer.hidden = true
      })
    }
  }

  let timer = null
  let keeping = true
  const keep = () => {
    window.clearTimeout(timer)
    if (keeping) timer = window.setTimeout(() => write(key, snapshot(form)), 400)
  }
  form.addEventListener('input', keep)
  form.addEventListener('change', keep)
  // Keep the latest text even if the page is closed before the timer fires.
  window.addEventListener('pagehide', () => { if (keeping) write(key, snapshot(form)) })
  // "Forget what I typed": no copy stays in this browser, now or while this page stays open.
  const forgetButton = document.querySelector('[data-autosave-forget]')
  if (forgetButton) {
    forgetButton.addEventListener('click', () => {
      keeping = false
      window.clearTimeout(timer)
      forget(key)
      const offer = document.querySelector('[data-autosave-offer]')
      if (offer) offer.hidden = true
      document.querySelector('[data-autosave-forgotten]').textContent =
        'This browser no longer keeps a copy of what you typed on this form.'
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
