"""Processing of received media (a Celery task per file)."""
