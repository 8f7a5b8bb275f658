"""The PackGate server: thin HTTP routes over the same bench service the embedded bench runs."""
