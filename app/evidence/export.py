"""Giving evidence: copy an order's clips and write its evidence sheet (A4 PDF, reportlab).

The sheet holds what a platform's dispute desk asks for: the order and its lines, the parcels with
their waybills and weights, the audit timeline (every scan, accepted or refused, with time, bench
and packer), four key frames from the clip (order opened, items in, parcel weighed, waybill), and
each clip's SHA-256 so the copy handed over can be checked against the bench's index. Bilingual
labels (中文 English) like the other documents.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import KnownError
from app.evidence import clipfile
from app.evidence.index import find_clips

KEY_FRAME_LABELS = ("开单 Order opened", "验货 Items", "称重 Weighed", "运单 Waybill")


def parcels_of(session: Session, order_no: str, fallback_waybill: str | None) -> list[dict]:
    """Each parcel's box, weight and waybill; tolerant of the parcel model growing (multi-parcel)."""
    from app.models.schema import Order, Parcel

    rows = session.scalars(select(Parcel).join(Order, Parcel.order_id == Order.id)
                           .where(Order.order_no == order_no).order_by(Parcel.id)).all()
    out = []
    for p in rows:
        waybill = p.__dict__.get("waybill") or getattr(p, "waybill_number", None)
        if waybill is None:
            try:
                waybill = p.waybill
            except Exception:  # noqa: BLE001 - a property that needs the order
                waybill = None
        out.append({"box": getattr(p, "box_code", None), "weight_g": getattr(p, "weight_g", None),
                    "expected_weight_g": getattr(p, "expected_weight_g", None),
                    "waybill": waybill or fallback_waybill})
    return out


def gather(session: Session, text: str) -> dict[str, Any]:
    """Everything the sheet shows, as plain data (runs on a worker or in the CLI)."""
    from app.reports.orders import order_details

    clips = find_clips(session, text)
    if not clips:
        raise KnownError(f"No video evidence for {text.strip()!r} (an order number or a waybill)")
    order_no = clips[0]["order_no"]
    details = order_details(session, order_no)
    waybills = list(dict.fromkeys(w for c in clips for w in c["waybills"]))
    parcels = parcels_of(session, order_no, (details or {}).get("waybill")) if details else []
    return {"order_no": order_no, "order": details, "parcels": parcels, "clips": clips, "waybills": waybills}


def key_frame_times(clip: dict) -> list[tuple[float, str]]:
    """Four moments: the order opened, the last item, the parcel weighed (or boxed), the waybill."""
    duration = clip["duration_s"] or 0.0
    marks = [m for m in clip.get("marks", []) if m.get("accepted")]

    def last(kinds: tuple[str, ...], default: float) -> float:
        found = [m["t"] for m in marks if m.get("kind") in kinds]
        return found[-1] if found else default

    times = [
        min(0.5, duration / 10),
        last(("item",), duration * 0.4),
        last(("weight", "box"), duration * 0.7),
        # a moment after the waybill scan: the labelled parcel is in view
        min(last(("waybill",), duration * 0.9) + 0.5, max(0.0, duration - 0.1)),
    ]
    return [(max(0.0, min(t, max(0.0, duration - 0.05))), label) for t, label in zip(times, KEY_FRAME_LABELS, strict=True)]


def key_frames(path: Path, times: list[float], max_width: int = 640) -> list[bytes]:
    """JPEG images of the frames at ``times`` (seconds), decoded with PyAV."""
    import av

    wanted = sorted(range(len(times)), key=lambda i: times[i])
    out: dict[int, bytes] = {}
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        pending = list(wanted)
        last_image = None
        for frame in container.decode(stream):
            t = float(frame.pts * frame.time_base) if frame.pts is not None else 0.0
            last_image = frame
            while pending and t + 1e-6 >= times[pending[0]]:
                out[pending.pop(0)] = _jpeg(frame, max_width)
            if not pending:
                break
        for i in pending:  # past the end of a torn clip: its last frame
            if last_image is not None:
                out[i] = _jpeg(last_image, max_width)
    return [out[i] for i in range(len(times)) if i in out]


def _jpeg(frame, max_width: int) -> bytes:
    image = frame.to_image()
    if image.width > max_width:
        image = image.resize((max_width, round(image.height * max_width / image.width)))
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=85)
    return buf.getvalue()


def _on_this_pc(clip: dict[str, Any]) -> Path:
    source = Path(clip["path"])
    if not clip["path"] or not source.is_file():
        where = clip["path"] or clip.get("bench_path") or clip["order_no"]
        raise KnownError(f"The clip {where} is not on this PC (deleted, moved, or still at bench {clip['station']})")
    return source


def export_evidence(session: Session, text: str, out_dir: Path, *, font_path: str | None = None,
                    source: Callable[[dict[str, Any]], Path] = _on_this_pc,
                    verified_only: bool = False) -> dict[str, Any]:
    """Copy the clips of ``text`` into ``out_dir`` (checked against their SHA-256) and write the sheet.

    ``source`` names the file of a clip this caller may read (or raises); ``verified_only`` (the
    server) gives only clips whose copy matches their SHA-256, never one without a checksum."""
    data = gather(session, text)
    out_dir.mkdir(parents=True, exist_ok=True)
    copied, waiting = [], []
    for clip in data["clips"]:
        if verified_only and not (clip["path"] and clip["sha256"]):
            # Not (yet) stored and verified by the server: named in the answer, never read, and never
            # in the way of the clips that are (a bench's row cannot block another bench's export).
            waiting.append(clip)
            continue
        path = source(clip)
        target = out_dir / path.name
        for n in range(2, 1000):  # two clips of one name (two benches): both, neither over the other
            if not target.exists():
                break
            target = out_dir / f"{path.stem}-{n}{path.suffix}"
        shutil.copyfile(path, target)
        if clip["sha256"] and clipfile.sha256_file(target) != clip["sha256"]:
            target.unlink()
            raise KnownError(f"The clip {path} does not match its SHA-256 in the index: it was changed")
        clip["copy"] = target
        copied.append(str(target))
    if not copied:
        source(waiting[0])  # raises: not uploaded yet (the server), or not on this PC
        raise KnownError(f"No clip of order {data['order_no']} can be given as evidence yet")
    copies = [c for c in data["clips"] if "copy" in c]
    packing = [c for c in copies if c.get("kind", "packing") == "packing"]  # key frames: the packing, not a return
    main = max(packing or copies, key=lambda c: c["duration_s"] or 0)
    moments = key_frame_times(main)
    frames = key_frames(main["copy"], [t for t, _ in moments])  # the copy checked above, not the row's path
    sheet = out_dir / f"evidence-{clipfile.safe_part(data['order_no'])}.pdf"
    sheet.write_bytes(render_sheet(data, list(zip(frames, moments, strict=False)), font_path=font_path))
    return {"order_no": data["order_no"], "clips": copied, "sheet": str(sheet), "waybills": data["waybills"],
            "not_uploaded": [{"station": c["station"], "state": c["state"]} for c in waiting]}


def _comparison(order: dict[str, Any], data: dict[str, Any], p, h2, table, width: float) -> list:
    """The page comparing what was packed (and weighed) with what came back, per return of the order."""
    from reportlab.platypus import PageBreak

    story: list = [PageBreak(), p("退货对比 What was packed and what came back", h2)]
    weighed = ", ".join(f"#{i + 1} {pc['weight_g'] or '-'} g ({pc['waybill'] or '-'})"
                        for i, pc in enumerate(data.get("parcels", [])))
    story.append(p(f"打包称重 Packed and weighed: {weighed or '-'}"))
    packed = {li["sku"]: li["scanned"] for li in order.get("lines", [])}
    for ret in order["returns"]:
        story.append(p(f"退货 Return #{ret['id']}  运单 Return waybill {ret['return_waybill'] or '-'}  售后 After-sales "
                       f"{ret['after_sales_id'] or '-'} {ret['reason'] or ''}  收货 Received {_local(ret['closed_at'])} "
                       f"{ret['station'] or '-'} / {ret['packer'] or '-'}", h2))
        skus = list(dict.fromkeys([*packed, *(x["sku"] for x in ret["lines"] + ret["missing"] + ret["claimed"])]))
        rows = [["SKU", "打包 Packed", "申请 Claimed", "退回完好 Back good", "退回破损 Back damaged", "缺少 Missing"]]
        for sku in skus:
            def qty(key: str, cond: str | None = None, sku=sku, ret=ret) -> int:
                return sum(x["qty"] for x in ret[key] if x["sku"] == sku and (cond is None or x.get("condition") == cond))
            rows.append([sku, packed.get(sku, 0), qty("claimed") or "-", qty("lines", "good"), qty("lines", "damaged"),
                         qty("missing")])
        for x in ret["foreign"]:
            rows.append([f"{x['sku']} (外来 foreign: never in this order)", 0, "-", x["qty"], "-", "-"])
        story.append(table(rows, [0.3 * width, 0.12 * width, 0.12 * width, 0.16 * width, 0.16 * width, 0.14 * width]))
        for clip in ret["clips"]:
            story.append(p(f"退货视频 Return clip {Path(clip['path']).name}  SHA-256 {clip['sha256'] or '-'}"))
    return story


def _local(iso: str | None) -> str:
    return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M:%S") if iso else "-"


def render_sheet(data: dict[str, Any], frames: list[tuple[bytes, tuple[float, str]]], *,
                 font_path: str | None = None) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Table, TableStyle

    from app.printing.fonts import register_cjk_font

    font = register_cjk_font(font_path)
    body = ParagraphStyle("body", fontName=font, fontSize=8.5, leading=11)
    small = ParagraphStyle("small", parent=body, fontSize=7, leading=9)
    h1 = ParagraphStyle("h1", parent=body, fontSize=16, leading=20, spaceAfter=4)
    h2 = ParagraphStyle("h2", parent=body, fontSize=11, leading=14, spaceBefore=6, spaceAfter=3)

    def p(text: Any, style=body) -> Paragraph:
        return Paragraph(escape(str(text if text is not None else "-")), style)

    def table(rows: list[list[Any]], widths: list[float]) -> Table:
        t = Table([[c if isinstance(c, Paragraph) else p(c, small) for c in r] for r in rows], colWidths=widths,
                  repeatRows=1)
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return t

    order = data.get("order") or {}
    story: list = [p(f"打包视频证据 Packing video evidence: {data['order_no']}", h1)]
    story.append(p(f"订单 Order {data['order_no']}   状态 State {order.get('state', '-')}   "
                   f"快递 Carrier {order.get('carrier', '-')}   运单 Waybills {', '.join(data['waybills']) or '-'}"))
    story.append(p(f"工位 Bench {order.get('station') or '-'}   打包员 Packer {order.get('packer') or '-'}   "
                   f"打包完成 Packed {_local(order.get('packed_at'))}"))
    story.append(p(f"收件人 Recipient {order.get('recipient_name', '-')}   {order.get('recipient_address', '')}"))
    width = A4[0] - 28 * mm

    story.append(p("商品 Lines", h2))
    rows = [["SKU", "条码 Barcode", "商品 Name", "数量 Qty", "已扫 Scanned"]]
    rows += [[li["sku"], li["barcode"], li["name"], li["qty"], li["scanned"]] for li in order.get("lines", [])]
    story.append(table(rows, [0.18 * width, 0.2 * width, 0.42 * width, 0.1 * width, 0.1 * width]))

    story.append(p("包裹 Parcels", h2))
    rows = [["#", "箱型 Box", "重量 Weight (g)", "预计 Expected (g)", "运单 Waybill"]]
    rows += [[i + 1, pc["box"] or "-", pc["weight_g"] or "-", pc["expected_weight_g"] or "-", pc["waybill"] or "-"]
             for i, pc in enumerate(data.get("parcels", []))]
    story.append(table(rows, [0.06 * width, 0.16 * width, 0.2 * width, 0.2 * width, 0.38 * width]))

    story.append(p("视频 Clips", h2))
    rows = [["文件 File", "开始 Start", "结束 End", "时长 s", "状态 State", "SHA-256"]]
    rows += [[Path(c["path"]).name + ("  (退货 return)" if c.get("kind") == "return" else ""), _local(c["started_at"]),
              _local(c["ended_at"]), f"{c['duration_s']:.1f}", c["state"], c["sha256"]] for c in data["clips"]]
    story.append(table(rows, [0.24 * width, 0.13 * width, 0.13 * width, 0.07 * width, 0.1 * width, 0.33 * width]))
    for c in data["clips"]:
        story.append(p(f"SHA-256 {Path(c['path']).name}: {c['sha256']}", small))

    if frames:
        story.append(p("关键画面 Key frames", h2))
        cells = []
        for jpeg, (t, label) in frames:
            from PIL import Image as PILImage

            w, h = PILImage.open(io.BytesIO(jpeg)).size
            img_w = width / 2 - 4 * mm
            cells.append([Image(io.BytesIO(jpeg), width=img_w, height=img_w * h / w), p(f"{label}  t={t:.1f} s", small)])
        grid = [[cells[i][0], cells[i + 1][0] if i + 1 < len(cells) else ""] for i in range(0, len(cells), 2)]
        captions = [[cells[i][1], cells[i + 1][1] if i + 1 < len(cells) else ""] for i in range(0, len(cells), 2)]
        rows = []
        for g, cap in zip(grid, captions, strict=True):
            rows += [g, cap]
        story.append(Table(rows, colWidths=[width / 2, width / 2]))

    if order.get("returns"):
        story += _comparison(order, data, p, h2, table, width)

    story.append(p("审计记录 Audit timeline", h2))
    rows = [["时间 Time", "结果 Result", "类型 Kind", "扫描 Code", "信息 Message", "工位 Bench / 人员 Who"]]
    for ev in order.get("events", []):
        rows.append([_local(ev["at"]), "OK" if ev["accepted"] else "REFUSED", ev["kind"], ev["code"], ev["message"],
                     f"{ev['station'] or '-'} / {ev['user'] or '-'}"])
    story.append(table(rows, [0.15 * width, 0.09 * width, 0.09 * width, 0.17 * width, 0.32 * width, 0.18 * width]))

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=14 * mm, rightMargin=14 * mm, topMargin=12 * mm,
                            bottomMargin=12 * mm, title=f"PackGate evidence {data['order_no']}", invariant=1)
    doc.build(story)
    return buf.getvalue()
