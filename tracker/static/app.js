// Starts the NHS.UK frontend components (header menu, error summary focus, etc.).
import { initAll } from './nhsuk/nhsuk-frontend.min.js'
initAll()

// A shared ward computer must not keep someone's reflection once they have gone: whenever a page
// is shown to a visitor (after signing out, or when the session has ended), every copy of typed
// text that the activity form kept in this browser is removed.
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
