"""Read-only figures and exports for supervisors and the platform (Qt-free)."""
