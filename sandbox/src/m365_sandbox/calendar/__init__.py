"""Outlook calendars: events and their copies, meeting answers, getSchedule, calendarView, rooms, seeding."""
