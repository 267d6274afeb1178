"""The SharePoint stand-in that driveItem webUrls point to (outside /v1.0)."""
