"""The Teams bot: aiohttp entry point, activity routes and card actions."""
