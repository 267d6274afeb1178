"""Server-side state: documents with eTags (optimistic concurrency)."""
