"""Notifications: e-mails written to an outbox in the causing transaction, delivered by a task."""
