"""The bench side of the PackGate server: enrolment and a bench that scans through it."""
