"""An uploaded extract waits on the server between the preview and "Apply import"."""
from __future__ import annotations

from tracker.kept_uploads import KeptUploads

_EXTRACTS = KeptUploads("STAFF_IMPORT_FOLDER", "staff-imports", ".upload",
                        "The uploaded file has expired or was already applied: upload it again")
keep, kept, forget = _EXTRACTS.keep, _EXTRACTS.kept, _EXTRACTS.forget
