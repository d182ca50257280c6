"""Anonymous incident reports: the public report channel, the counselors'
case management, and notifications through an outbox."""
