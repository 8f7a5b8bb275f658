"""Packing video evidence: the recorder process, the recording policy, the clip index, retention
and the evidence sheet. Qt-free except nothing: the bench's widgets live in ``app/ui/evidence``."""
