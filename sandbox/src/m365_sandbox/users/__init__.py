"""The directory: /users, /users/{id or UPN}, /me."""
