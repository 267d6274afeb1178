"""The joint plan's documents: the star picture (PNG), the plan as DOCX and PDF, their file names.

Adapters around the pure domain (domain.star, domain.plan): they take a
PlanDocumentData and return bytes; they read nothing but fonts and star files.
"""
