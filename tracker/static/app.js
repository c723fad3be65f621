// Starts the NHS.UK frontend components (header menu, error summary focus, etc.).
import { initAll } from './nhsuk/nhsuk-frontend.min.js'
import './session-timeout.js' // sessions: the time-out warning of a signed-in page
initAll()

// Work-around for nhsuk-frontend 10.6.1's file upload: the button it builds separates its status
// ("No file chosen") from "Choose file" only by visually hidden text, so the words a speech-input
// user sees run together and are not in the button's accessible name (WCAG 2.5.3 label in name).
// A real space between them mends it; layout is unchanged (the button is a flex container).
for (const status of document.querySelectorAll('.nhsuk-file-upload__status')) {
  status.after(document.createTextNode(' '))
}

// A table wider than its box says so above it ("Scroll the table sideways…"), and stops saying so
// when the window widens. The cue is aria-hidden: a screen reader reads the whole table anyway.
const markScrolling = (box) => {
  const cue = box.previousElementSibling
  if (cue && cue.classList.contains('app-scroll__cue')) {
    cue.classList.toggle('app-scroll__cue--shown', box.scrollWidth > box.clientWidth + 1)
  }
}
if ('ResizeObserver' in window) {
  const watcher = new ResizeObserver((entries) => entries.forEach((entry) => markScrolling(entry.target)))
  document.querySelectorAll('.app-scroll').forEach((box) => watcher.observe(box))
}

// A shared ward computer must not keep someone's reflection once they have gone. The activity
// form now keeps its copy of typed text on the server only; earlier versions kept it in this
// browser, so for one release more, whenever a page is shown to a visitor (after signing out, or
// when the session has ended), every copy left by them is removed.
const AUTOSAVE_PREFIX = 'tracker-autosave:'
if (document.querySelector('[data-signed-out]')) {
  try {
    for (const key of Object.keys(window.localStorage)) {
      if (key.startsWith(AUTOSAVE_PREFIX)) window.localStorage.removeItem(key)
    }
  } catch (error) {
    // Storage blocked: nothing can have been kept.
  }
}
