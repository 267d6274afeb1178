"""What every Graph area rests on: errors, time zones, the clock, the tenant, OData options, faults, counting."""
