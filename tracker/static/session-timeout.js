// The NHS.UK-style time-out warning (templates/auth/_session_warning.html). Two minutes before the
// idle time-out a modal dialog opens with focus in it: "Stay signed in" tells the server and
// closes it, "Sign out" signs out. Its countdown is read out sparingly (a polite live region at a
// few moments, not every second). When the countdown reaches nought on the activity form, what
// was typed is first saved as a draft, then the session ends and the sign-in page says why.
// Before warning and before signing out, the server is asked how long is really left: another tab
// may have kept the session going.

// Act this long before the server would end the session itself, so the draft can still be saved.
const SAFETY_MS = 5000
const ANNOUNCE_AT = new Set([120, 60, 30, 10])

function words (seconds) {
  const minutes = Math.floor(seconds / 60)
  const rest = seconds % 60
  const part = (n, unit) => `${n} ${unit}${n === 1 ? '' : 's'}`
  if (minutes && rest) return `${part(minutes, 'minute')} ${part(rest, 'second')}`
  if (minutes) return part(minutes, 'minute')
  return part(rest, 'second')
}

// The activity form holds something the person typed or chose since the page was drawn.
function changed (form) {
  return Array.from(form.elements).some((el) => {
    if (!el.name || el.name === 'csrf_token' || el.type === 'file' || el.type === 'submit') return false
    if (el.type === 'checkbox' || el.type === 'radio') return el.checked !== el.defaultChecked
    if (el.tagName === 'SELECT') return Array.from(el.options).some((o) => o.selected !== o.defaultSelected)
    return el.value !== el.defaultValue
  })
}

function typedMinutes (data) {
  const whole = (value) => (/^\s*\d{1,4}\s*$/.test(value || '') ? Number(value) : (value ? NaN : 0))
  const total = whole(data.get('duration_hours')) * 60 + whole(data.get('duration_minutes'))
  return Number.isNaN(total) ? null : total
}

// The activity form's contents, saved on the server as a draft (never files: too slow to send now).
async function saveTypedText () {
  const form = document.querySelector('form[data-autosave-key]')
  if (!form || !changed(form)) return
  const data = new FormData(form)
  data.delete('evidence')
  data.set('action', 'draft')
  // A duration over 12 hours would be asked about ("Is that right?"); nobody is there to answer.
  const minutes = typedMinutes(data)
  if (minutes !== null) data.set('duration_confirmed', String(minutes))
  try {
    // getAttribute: the form has a field named "action", which hides form.action.
    await fetch(form.getAttribute('action'), { method: 'POST', body: data, credentials: 'same-origin' })
  } catch (error) {
    // The network is gone: the sign-out below cannot reach the server either.
  }
}

async function askTimeLeft (url) {
  try {
    const response = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
    if (!response.ok || response.redirected) return 0 // ended, or signed out elsewhere
    const answer = await response.json()
    return answer.signed_in ? Number(answer.seconds_left) : 0
  } catch (error) {
    return null // not known: go by this page's own clock
  }
}

function start (dialog) {
  const warningMs = Number(dialog.dataset.warningSeconds) * 1000
  const countdown = dialog.querySelector('[data-session-countdown]')
  const announce = dialog.querySelector('[data-session-announce]')
  const draftNote = dialog.querySelector('[data-session-draft-note]')
  const stayForm = dialog.querySelector('[data-session-stay]')
  const timedOutForm = dialog.querySelector('[data-session-timed-out]')
  let deadline = 0
  let warnTimer = null
  let ticker = null
  let returnFocus = null
  let ending = false

  const secondsToGo = () => Math.max(0, Math.ceil((deadline - Date.now()) / 1000))

  function schedule (secondsLeft) {
    window.clearTimeout(warnTimer)
    deadline = Date.now() + Math.max(0, secondsLeft * 1000 - SAFETY_MS)
    warnTimer = window.setTimeout(warn, Math.max(0, deadline - warningMs - Date.now()))
  }

  async function warn () {
    const left = await askTimeLeft(dialog.dataset.timeLeftUrl)
    if (left !== null) {
      if (left * 1000 - SAFETY_MS > warningMs + 1000) return schedule(left)
      deadline = Date.now() + Math.max(0, left * 1000 - SAFETY_MS)
    }
    open()
  }

  function show () {
    const seconds = secondsToGo()
    countdown.textContent = words(seconds)
    if (ANNOUNCE_AT.has(seconds)) announce.textContent = `You will be signed out in ${words(seconds)}.`
    return seconds
  }

  function open () {
    returnFocus = document.activeElement
    const form = document.querySelector('form[data-autosave-key]')
    draftNote.hidden = !(form && changed(form))
    announce.textContent = ''
    show()
    if (!dialog.open) dialog.showModal()
    window.clearInterval(ticker)
    ticker = window.setInterval(() => { if (show() <= 0) expire() }, 1000)
  }

  function close () {
    window.clearInterval(ticker)
    if (dialog.open) dialog.close()
    if (returnFocus && typeof returnFocus.focus === 'function') returnFocus.focus()
  }

  async function expire () {
    if (ending) return
    ending = true
    window.clearInterval(ticker)
    const left = await askTimeLeft(dialog.dataset.timeLeftUrl)
    if (left !== null && left * 1000 - SAFETY_MS > warningMs) {
      ending = false
      close()
      return schedule(left)
    }
    if (left !== 0) await saveTypedText() // 0: the server has already ended it
    timedOutForm.submit()
  }

  async function stay () {
    if (ending) return
    try {
      const response = await fetch(stayForm.getAttribute('action'), {
        method: 'POST', body: new FormData(stayForm), credentials: 'same-origin', headers: { Accept: 'application/json' }
      })
      if (!response.ok) throw new Error(String(response.status))
      const answer = await response.json()
      close()
      schedule(Number(answer.seconds_left))
    } catch (error) {
      timedOutForm.submit() // the session could not be kept: say so on the sign-in page
    }
  }

  stayForm.addEventListener('submit', (event) => {
    event.preventDefault()
    stay()
  })
  // Escape closes the dialog as "Stay signed in" does (the GOV.UK pattern).
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault()
    stay()
  })
  // This page's request restarted the idle time; the absolute lifetime ends at a fixed moment.
  const untilEnd = (Date.parse(dialog.dataset.endsBy) - Date.now()) / 1000
  const idle = Number(dialog.dataset.idleSeconds)
  schedule(Number.isNaN(untilEnd) ? idle : Math.max(0, Math.min(idle, untilEnd)))
}

const dialog = document.querySelector('[data-session-timeout]')
if (dialog && typeof dialog.showModal === 'function') start(dialog)
