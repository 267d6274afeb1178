"""Microsoft Graph adapters: the service layer's ports implemented with msgraph-sdk.

Nothing here knows whether it talks to Microsoft Graph or the local sandbox: the
base URL and credential come from configuration.
"""
