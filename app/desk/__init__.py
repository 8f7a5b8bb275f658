"""The supervisor's desk: everything the supervisor view and the settings unlock read and change,
behind one narrow port (:class:`app.desk.port.SupervisorDesk`). In-process it wraps the services
(:class:`app.desk.local.LocalDesk`, the embedded bench and the server); behind the PackGate server
the supervisor's PC talks HTTP (:class:`app.client.desk.RemoteDesk`). Qt-free."""
