"""What `celery -A tracker.notifications.celery_entry worker --beat` loads (make worker): the
application, and its Celery."""
from tracker import create_app

app = create_app()
celery = app.extensions["celery"]
