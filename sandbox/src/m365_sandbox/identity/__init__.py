"""Microsoft Entra as far as the sandbox needs: app-only tokens per tenant, over TLS."""
