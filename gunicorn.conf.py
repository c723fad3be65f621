"""gunicorn's settings for `make serve` and the systemd units (deploy/): read by
`gunicorn -c gunicorn.conf.py`. Every figure here is explained in README.md#Running in production."""
import os

import config as tracker_config  # not "config": gunicorn would read that name as its own setting
from tracker.serving import AccessLogger, logging_config, worker_count

wsgi_app = "tracker:create_app()"
# Only the proxy on this machine talks to gunicorn; it terminates TLS (deploy/nginx/tracker.conf).
bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"

# Sync workers: one request per process. The app spends most of a request in Python (about 55 ms
# of CPU against 30 ms in PostgreSQL), so threads would wait on the GIL; the timeout below stays a
# real limit on a stuck request (a threaded worker's heartbeat runs apart from its requests); and
# nginx buffers slow clients, which is what sync workers need in front of them.
worker_class = "sync"
workers = worker_count()

# The all-years activities export in XLSX (9.4 MB) took 29-36 s through gunicorn on the trust-scale
# demo (20,000 staff, three years, 117,000 activities, PostgreSQL 15, two cores shared with other
# work), 17 s of it the worker's CPU; the default 30 s killed it. 300 s leaves room for an
# organisation with ten years of activities. Exports move to background workers later.
timeout = 300
# A restart lets a running export finish before the worker is stopped.
graceful_timeout = 300
# No control socket: two instances on one machine would share its one path, and nothing uses it.
control_socket_disable = True

# Logs: gunicorn's own and the access log as JSON lines on stdout, like the app's.
logconfig_dict = logging_config()
accesslog = "-"
logger_class = AccessLogger
# No %(r)s, %(q)s or %(f)s: the request line, the query string and the referrer carry report
# filters and search words (people's names); AccessLogger blanks them even if this changes.
access_log_format = '%(h)s %(m)s %(U)s %(s)s %(B)s %(M)sms %({x-request-id}o)s'


def on_starting(server):
    """Refuse to start several workers that would each count sign-in limits alone, and tell the
    app how many there are (config.Config.validate checks again when it is started another way)."""
    os.environ[tracker_config.WORKERS_ENV] = str(server.cfg.workers)
    if os.environ.get("FLASK_ENV", "production") == "production":
        try:
            tracker_config.refuse_lone_counts(tracker_config.Config.RATELIMIT_STORAGE_URI, server.cfg.workers)
        except tracker_config.ConfigError as refusal:
            server.log.error("Not starting: %s", refusal)
            raise SystemExit(1) from None
