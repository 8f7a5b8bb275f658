"""The demo import files in ``docs/``: a product catalogue and a Pinduoduo order export.

``packgate demo --write-files DIR`` writes them; the copies in ``docs/`` are made by this module
(a test keeps them equal). The order file is what the platform's back office exports (订单查询 ->
导出): its own headers, GB18030 text, masked recipients, and orders in every state the import
decides on: awaiting shipment, one with an after-sales case, one shipped, one cancelled, one with
a pre-assigned waybill and one without a carrier (the shop's default carrier takes it).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from app.demo import DEMO_PRODUCTS


def ean13(first12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


CATALOGUE_FILE = "demo-products.csv"
ORDERS_FILE = "demo-orders-pdd.csv"

# sku, name, barcodes, unit weight g, default box
NEW_PRODUCTS = (
    ("HONEY-500", "土蜂蜜 500g 玻璃瓶 Honey", (ean13("692012345001"),), 720, "BOX-M"),
    ("RICE-2KG", "五常大米 2kg Rice", (ean13("692012345002"), "RICE2KG"), 2050, "BOX-L"),
    ("CHOP-10", "竹筷子 10 双装 Bamboo chopsticks", (ean13("692012345003"),), 180, "BOX-S"),
)

PDD_HEADER = ("商品", "订单号", "订单状态", "商品数量(件)", "支付时间", "商品id", "商品规格", "样式ID",
              "商家编码-规格维度", "商家编码-商品维度", "商家备注", "买家留言", "售后状态", "订单成交时间", "快递单号",
              "快递公司", "收货人", "手机", "省", "市", "区", "街道", "详细地址")

# The demo's Pinduoduo orders: order number, state, after-sales, carrier, waybill, lines
# (name, spec, spec code, product code, quantity), seller's remark, buyer's message, recipient.
_ORDERS = (
    ("261201-387465902318764", "待发货", "无售后或售后取消", "中通快递", "",
     (("土蜂蜜 500g 玻璃瓶", "500g", "HONEY-500", "HONEY", 1), ("竹筷子 10 双装", "原竹色", "CHOP-10", "CHOP", 2)),
     "送试吃小样", "周末不在家，请放快递柜", ("王**", "138****8000", "浙江省", "杭州市", "西湖区", "文新街道",
                                            "文三路 ***号")),
    ("261201-387465902318765", "待发货", "无售后或售后取消", "顺丰速运", "SF1461234567890",
     (("五常大米 2kg", "2kg 真空装", "RICE-2KG", "RICE", 1), ("西湖龙井茶 250g", "250g 罐装", "TEA-LJ-250", "TEA", 1)),
     "", "", ("李*", "139****5678", "广东省", "深圳市", "南山区", "粤海街道", "科技园南区***")),
    ("261201-387465902318766", "待发货", "无售后或售后取消", "韵达快递", "",
     (("陶瓷马克杯", "白色 350ml", "", "MUG-CER-01", 1),),
     "", "", ("陈**", "186****2222", "北京市", "北京市", "朝阳区", "建外街道", "建国路 ***号")),
    ("261201-387465902318767", "待发货", "退款中", "中通快递", "",
     (("保温杯 500ml", "黑色", "BOTTLE-500", "BOTTLE", 1),),
     "", "不要了，已申请退款", ("赵**", "137****1111", "四川省", "成都市", "武侯区", "桂溪街道", "天府大道 ***号")),
    ("261201-387465902318768", "待发货", "无售后或售后取消", "", "",
     (("竹筷子 10 双装", "原竹色", "CHOP-10", "CHOP", 1),),
     "", "", ("孙*", "136****7777", "江苏省", "南京市", "鼓楼区", "湖南路街道", "中山北路 ***号")),
    ("261130-387465902318701", "已发货，待签收", "无售后或售后取消", "中通快递", "73100000000001",
     (("土蜂蜜 500g 玻璃瓶", "500g", "HONEY-500", "HONEY", 2),),
     "", "", ("周**", "135****3333", "上海市", "上海市", "浦东新区", "张江镇", "张江路 ***弄")),
    ("261130-387465902318702", "已取消", "无售后或售后取消", "", "",
     (("每日坚果", "30 袋", "SNACK-NUT", "SNACK", 1),),
     "", "", ("吴**", "133****4444", "湖北省", "武汉市", "洪山区", "关山街道", "光谷大道 ***号")),
)


def _csv(header, rows) -> str:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def catalogue_csv() -> bytes:
    rows = [[sku, name, ";".join(codes), str(weight), ""] for sku, name, weight, codes in DEMO_PRODUCTS]
    rows += [[sku, name, ";".join(codes), str(weight), box] for sku, name, codes, weight, box in NEW_PRODUCTS]
    return _csv(("商品编码", "商品名称", "商品条码", "单件重量(克)", "默认箱型"), rows).encode("utf-8-sig")


def orders_csv() -> bytes:
    rows = []
    for n, (order_no, state, after_sales, carrier, waybill, lines, remark, message, who) in enumerate(_ORDERS):
        name, phone, province, city, district, street, detail = who
        day = "2026-12-01" if order_no.startswith("261201") else "2026-11-30"
        when = f"{day} {9 + n:02d}:{12 + 7 * n:02d}:{(31 * n) % 60:02d}"
        for product, spec, spec_code, product_code, quantity in lines:
            rows.append([product, order_no, state, str(quantity), when, f"7542995{len(product_code):02d}{n:03d}",
                         spec, f"1207{n:03d}{quantity}", spec_code, product_code, remark, message, after_sales, when, waybill, carrier, name, phone,
                         province, city, district, street, detail])
    return _csv(PDD_HEADER, rows).encode("gb18030")


def write_demo_files(folder: str | Path) -> list[Path]:
    """Write the demo catalogue and order export into ``folder``; returns their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, data in ((CATALOGUE_FILE, catalogue_csv()), (ORDERS_FILE, orders_csv())):
        path = folder / name
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        out.append(path)
    return out
