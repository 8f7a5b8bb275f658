"""The packing video stays off the scan path: the recorder's commands for a scan go out after its
banner is painted (in order, each with the scan's time), and stopping sends what is still queued."""

from __future__ import annotations

from app.evidence.commands import Mark, Shutdown, StartClip, StopClip
from app.ui.evidence.controller import EvidenceController


class FakeRecorder:
    """Stands in for the recorder process and keeps what it was sent."""

    def __init__(self, config) -> None:
        self.config, self.sent, self.alive, self.process = config, [], True, None

    def start(self) -> None: ...

    def stop(self, timeout: float = 10.0) -> None:
        self.sent.append(Shutdown())

    def send(self, command) -> None:
        self.sent.append(command)

    def poll(self) -> list:
        return []

    def latest_preview(self):
        return None


def test_a_scans_marks_go_to_the_recorder_after_its_banner_is_painted(qtbot, window, scanner):
    controller = EvidenceController(window, window.services, "BENCH-1", camera="test", recorder_factory=FakeRecorder)
    controller.start()
    recorder = controller.recorder
    scanner.scan("P-1001")
    sent_when = {}
    window.outcome_shown.connect(lambda _o: sent_when.setdefault("shown", len(recorder.sent)))
    window.banner.painted.connect(lambda: sent_when.setdefault("painted", len(recorder.sent)))
    before = len(recorder.sent)
    outcome = scanner.scan("PDD-1001")
    assert sent_when["shown"] == before  # nothing sent while the outcome is being shown ...
    qtbot.waitUntil(lambda: any(isinstance(c, StartClip) for c in recorder.sent[before:]), timeout=60_000)
    assert sent_when["painted"] == before  # ... nor before its banner was painted
    new = recorder.sent[before:]
    assert isinstance(new[0], StartClip) and new[0].order_no == "PDD-1001"
    mark = next(c for c in new if isinstance(c, Mark))
    assert mark.code == "PDD-1001" and mark.kind == "order" and mark.at > 0
    assert outcome.accepted
    scanner.scan("CMD:CANCEL")
    controller.stop()  # the cancel's stop is sent before the recorder is shut down
    assert isinstance(recorder.sent[-1], Shutdown) and isinstance(recorder.sent[-2], StopClip)
