"""lactamon service: evaluation core, journal, alarms, sinks, web API and command line."""
