"""The bench workflow as a Qt-free state machine: one scanned string in, one Outcome out."""
