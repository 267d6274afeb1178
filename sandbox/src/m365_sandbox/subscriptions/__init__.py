"""Change notifications on Outlook events: subscriptions, the validation handshake, delivery."""
