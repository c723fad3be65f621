"""What `celery -A tracker.notifications.celery_entry worker --beat` loads (make worker): the
application's Celery. (Celery looks for `app` first, so the Flask app is named otherwise.)"""
from tracker import create_app

flask_app = create_app()
app = flask_app.extensions["celery"]
