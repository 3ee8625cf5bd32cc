"""Crisis webhooks to a tenant's care team: the outbox, enqueueing and delivery."""
