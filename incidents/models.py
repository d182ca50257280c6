"""Anonymous incident reports (built in the incident-channel issue)."""
