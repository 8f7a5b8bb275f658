"""Build order files for the import tests."""

from __future__ import annotations

import csv
import io
from pathlib import Path

EN = ("order_no", "carrier", "recipient_name", "recipient_phone", "recipient_address", "sku", "barcode",
      "product_name", "quantity", "unit_weight_g", "waybill", "note", "created_at")
ZH = ("订单号", "快递公司", "收件人", "联系电话", "收货地址", "商品编码", "商品条码", "商品名称", "数量",
      "单件重量(克)", "运单号", "备注", "下单时间")


def line(order_no="PDD-1", carrier="SF", name="张三", phone="13800138000", address="浙江省杭州市西湖区文三路 138 号",
         sku="TEA-1", barcode="6901234567892", product="西湖龙井 Longjing", quantity="1", weight="280",
         waybill="", note="", created_at="2026-11-25 10:30:00") -> list:
    return [order_no, carrier, name, phone, address, sku, barcode, product, quantity, weight, waybill, note,
            created_at]


def write_csv(path: Path, rows: list[list], header=EN, encoding="utf-8", bom=False) -> Path:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    data = buf.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def write_xlsx(path: Path, rows: list[list], header=EN) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path
