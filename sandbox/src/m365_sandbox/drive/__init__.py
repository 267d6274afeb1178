"""OneDrive for Business: drives, items, uploads, downloads, sharing (invite, createLink, permissions)."""
