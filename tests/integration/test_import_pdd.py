"""Orders as the shop already has them: the Pinduoduo export (--profile pdd) and column maps."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.cli import main
from app.errors import ImportFileError
from app.imports.columnmap import load_column_map, load_profile
from app.imports.orders import import_orders
from app.imports.products import import_products
from app.models.schema import Order, OrderLine, Product, ScanEvent

PDD = ("商品", "订单号", "订单状态", "商品数量(件)", "商品id", "商品规格", "样式ID", "商家编码-规格维度",
       "商家编码-商品维度", "商家备注", "买家留言", "售后状态", "订单成交时间", "快递单号", "快递公司", "收货人", "手机",
       "省", "市", "区", "街道", "详细地址")


def pdd(order_no, sku_spec="TEA-1", sku_product="", quantity="1", state="待发货", after="无售后或售后取消",
        waybill="", carrier="中通快递", remark="", message="", name="王**", phone="138****8000",
        product="西湖龙井 明前特级", spec="250g 罐装"):
    return [product, order_no, state, quantity, "754299529443", spec, "1207310", sku_spec, sku_product, remark,
            message, after, "2026-11-28 10:15:32", waybill, carrier, name, phone, "浙江省", "杭州市", "西湖区",
            "文新街道", "文三路 138 号 3 幢"]


def write(path: Path, header, rows, encoding="gb18030") -> Path:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, header, rows) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


@pytest.fixture
def catalogue(services, tmp_path):
    path = tmp_path / "products.csv"
    path.write_text("商品编码,商品名称,商品条码,单件重量(克)\nTEA-1,西湖龙井,6901234567892,280\n"
                    "MUG-1,马克杯,6902345678905,350\nSOCK-1,棉袜,SOCK1,60\n", encoding="utf-8")
    assert import_products(services, path).ok
    return services


DAY = [
    pdd("261128-100000000000001", "TEA-1", quantity="2", remark="加急", message="请放门口"),
    pdd("261128-100000000000001", "MUG-1", product="陶瓷马克杯", spec="白色"),
    pdd("261128-100000000000002", "", "SOCK-1", carrier="韵达快递"),              # SKU from the product's code
    pdd("261128-100000000000003", state="已发货，待签收", waybill="75000000000001"),
    pdd("261128-100000000000004", state="已取消"),
    pdd("261128-100000000000005", after="退款中"),                                 # after-sales: held
    pdd("261128-100000000000006", "MUG-1", waybill="SF1400000000000", carrier="顺丰速运"),
]


def orders(services) -> dict[str, tuple]:
    with services.read_uow() as uow:
        return {o.order_no: (o.state, o.carrier_code, o.preassigned_waybill, o.hold_reason)
                for o in uow.session.scalars(select(Order))}


def test_the_platform_export_as_it_comes(catalogue, tmp_path):
    services = catalogue
    report = import_orders(services, write(tmp_path / "订单导出.csv", PDD, DAY), column_map=load_profile("pdd"))
    assert report.ok, (report.errors, report.unknown_products)
    assert (report.orders_added, report.lines_added) == (4, 5)  # three ready, one held
    assert report.sku_sources == {"商家编码-规格维度": 4, "商家编码-商品维度": 1}
    assert report.skipped == {"shipped": 1, "cancelled": 1}
    assert [(h.line, h.order_no, h.status, h.outcome) for h in report.held] == [
        (7, "261128-100000000000005", "退款中", "held")]
    got = orders(services)
    assert set(got) == {"261128-100000000000001", "261128-100000000000002", "261128-100000000000005",
                        "261128-100000000000006"}
    assert got["261128-100000000000001"][:3] == ("ready", "ZTO", None)
    assert got["261128-100000000000002"][:2] == ("ready", "YUNDA")
    assert got["261128-100000000000006"][:3] == ("ready", "SF", "SF1400000000000")
    state, _carrier, _waybill, reason = got["261128-100000000000005"]
    assert state == "on_hold" and "after-sales case on the platform (退款中)" in reason
    with services.read_uow() as uow:
        s = uow.session
        first = s.scalar(select(Order).where(Order.order_no == "261128-100000000000001"))
        assert (first.recipient_name, first.recipient_phone) == ("王**", "138****8000")  # masked, kept
        assert first.recipient_address == "浙江省 杭州市 西湖区 文新街道 文三路 138 号 3 幢"
        assert first.note == "加急 / 请放门口"
        assert first.created_at == datetime(2026, 11, 28, 10, 15, 32).astimezone(UTC)
        lines = {sku: q for sku, q in s.execute(select(Product.sku, OrderLine.quantity).join(OrderLine.product)
                                                 .where(OrderLine.order_id == first.id))}
        assert lines == {"TEA-1": 2, "MUG-1": 1}
        events = s.execute(select(ScanEvent.kind, ScanEvent.raw).where(ScanEvent.kind == "import_hold")).all()
        assert [tuple(e) for e in events] == [("import_hold", "261128-100000000000005")]
    text = report.summary()
    assert "SKU from 商家编码-规格维度 on 4 lines, 商家编码-商品维度 on 1 line" in text
    assert "skipped 1 order the file shows as shipped" in text
    assert "line 7: order 261128-100000000000005 (退款中): held" in text

    again = import_orders(services, tmp_path / "订单导出.csv", column_map=load_profile("pdd"))
    assert again.ok and (again.orders_added, again.orders_unchanged) == (0, 3)
    assert [h.outcome for h in again.held] == ["already on hold"]
    assert orders(services) == got


def test_a_later_after_sales_case_holds_the_ready_order_and_reports_a_packed_one(catalogue, tmp_path):
    services = catalogue
    profile = load_profile("pdd")
    import_orders(services, write(tmp_path / "a.csv", PDD, DAY[:3] + DAY[6:]), column_map=profile)
    with services.uow() as uow:  # as if a bench packed order 6 meanwhile
        uow.session.execute(update(Order).where(Order.order_no == "261128-100000000000006")
                            .values(state="packed", waybill="SF1400000000000"))
    later = [pdd("261128-100000000000002", "", "SOCK-1", carrier="韵达快递", after="售后处理中"),
             pdd("261128-100000000000006", "MUG-1", waybill="SF1400000000000", carrier="顺丰速运", after="退款中")]
    report = import_orders(services, write(tmp_path / "b.csv", PDD, later), column_map=profile)
    assert report.ok
    assert [(h.order_no, h.outcome) for h in report.held] == [
        ("261128-100000000000002", "put on hold"),
        ("261128-100000000000006", "already packed: stop the parcel before it leaves")]
    got = orders(services)
    assert got["261128-100000000000002"][0] == "on_hold"
    assert "售后处理中" in got["261128-100000000000002"][3]
    assert got["261128-100000000000006"][0] == "packed"
    assert got["261128-100000000000001"][0] == "ready"


def test_unknown_products_are_listed_and_nothing_is_imported(catalogue, tmp_path, capsys):
    services = catalogue
    rows = [*DAY, pdd("261128-100000000000009", "NEW-9", product="新款保温杯", spec="黑色 500ml")]
    path = write(tmp_path / "o.csv", PDD, rows)
    report = import_orders(services, path, column_map=load_profile("pdd"))
    assert not report.ok and report.errors == []
    assert report.unknown_products == [(9, "NEW-9", "新款保温杯 (黑色 500ml)")]
    assert report.orders_added == 0 and orders(services) == {}
    assert main(["--db", services.db_url, "import-orders", str(path), "--profile", "pdd"]) == 1
    err = capsys.readouterr().err
    assert "line 9: SKU NEW-9 (新款保温杯 (黑色 500ml))" in err and "import-products" in err
    assert "Nothing was imported" in err


def test_a_missing_carrier_takes_the_default_or_is_a_bad_row(catalogue, tmp_path, capsys):
    services = catalogue
    path = write(tmp_path / "o.csv", PDD, [pdd("261128-1", carrier=""), pdd("261128-2", "MUG-1")])
    report = import_orders(services, path, column_map=load_profile("pdd"), default_carrier="")
    assert report.errors == [(2, "carrier is empty and no default carrier is set (the default_carrier setting or "
                                 "--default-carrier)")]
    assert orders(services) == {}
    assert main(["--db", services.db_url, "import-orders", str(path), "--profile", "pdd",
                 "--default-carrier", "JT"]) == 0
    assert orders(services)["261128-1"][1] == "JT" and orders(services)["261128-2"][1] == "ZTO"
    with pytest.raises(ImportFileError, match="default carrier 'NOPE' is not a carrier"):
        import_orders(services, path, column_map=load_profile("pdd"), default_carrier="NOPE")


def test_the_default_carrier_setting(catalogue, tmp_path):
    services = catalogue
    services.settings.default_carrier = "STO"
    path = write(tmp_path / "o.csv", PDD, [pdd("261128-7", carrier="")])
    assert import_orders(services, path, column_map=load_profile("pdd")).ok
    assert orders(services)["261128-7"][1] == "STO"


def test_xlsx_export_with_the_combined_address_and_utf8(catalogue, tmp_path):
    services = catalogue
    header = [h for h in PDD if h not in ("省", "市", "区", "街道", "详细地址")] + ["收货地址"]
    rows = [[*r[: len(header) - 1], "广东省深圳市南山区科技园路 1 号"] for r in DAY[:3]]
    report = import_orders(services, write_xlsx(tmp_path / "o.xlsx", header, rows), column_map=load_profile("pdd"))
    assert report.ok and report.orders_added == 2
    with services.read_uow() as uow:
        assert set(uow.session.scalars(select(Order.recipient_address))) == {"广东省深圳市南山区科技园路 1 号"}


def test_states_the_profile_does_not_know_and_missing_skus_are_bad_rows(catalogue, tmp_path):
    services = catalogue
    rows = [pdd("261128-1", state="待审核"), pdd("261128-2", "", ""), pdd("261128-3"),
            pdd("261128-3", "MUG-1", state="已取消")]
    report = import_orders(services, write(tmp_path / "o.csv", PDD, rows), column_map=load_profile("pdd"))
    assert [line for line, _ in report.errors] == [2, 3, 5]
    assert "order state '待审核' is not one the pdd profile knows" in report.errors[0][1]
    assert report.errors[1][1].startswith("no SKU: 商家编码-规格维度 and 商家编码-商品维度 are empty")
    assert report.errors[2][1] == "订单状态 '已取消' differs from line 4 of order 261128-3"
    assert orders(services) == {}


def test_an_export_without_the_needed_columns_is_refused_clearly(catalogue, tmp_path):
    path = write(tmp_path / "o.csv", ("订单号", "商品", "订单状态"), [["1", "x", "待发货"]])
    with pytest.raises(ImportFileError, match=r"does not have the columns the pdd profile needs \(sku: "
                                              r"商家编码-规格维度 or 商家编码-商品维度; quantity: 商品数量\(件\)"):
        import_orders(catalogue, path, column_map=load_profile("pdd"))


def test_a_column_map_with_fixed_values_for_an_erp_export(catalogue, tmp_path):
    services = catalogue
    map_path = tmp_path / "erp.toml"
    map_path.write_text('name = "erp"\n[columns]\norder_no = "单据编号"\nsku = "规格编码"\nquantity = "数量"\n'
                        'recipient_name = "收件人"\nrecipient_phone = "手机"\nrecipient_address = "地址"\n'
                        '[fixed]\ncarrier = "ZTO"\n', encoding="utf-8")
    path = write(tmp_path / "erp.csv", ("单据编号", "规格编码", "数量", "收件人", "手机", "地址", "物流"),
                 [["XS-1", "TEA-1", "3", "李四", "13900000000", "上海市浦东新区", "顺丰"]], encoding="utf-8-sig")
    assert main(["--db", services.db_url, "import-orders", str(path), "--columns", str(map_path)]) == 0
    assert orders(services)["XS-1"][:2] == ("ready", "ZTO")


@pytest.mark.parametrize(("text", "message"), [
    ('[columns]\norder_no = "a"\nsku = "b"\nqty = "c"\n', "qty is not a field PackGate knows"),
    ('[columns]\norder_no = "a"\nsku = "b"\n', "does not say which column holds quantity"),
    ('[columns\n', "is not valid TOML"),
    ('[columns]\norder_no = "a"\nsku = "b"\nquantity = "c"\nstate = "s"\n', "needs [states] ready"),
    ('[columns]\norder_no = 1\nsku = "b"\nquantity = "c"\n', "must be a header or a list of headers"),
])
def test_mistakes_in_a_column_map_are_named(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportFileError, match=message.replace("[", r"\[")):
        load_column_map(path)


def test_an_unknown_profile_names_the_shipped_ones():
    with pytest.raises(ImportFileError, match=r"No import profile 'nope'.*pdd"):
        load_profile("nope")
    with pytest.raises(ImportFileError, match="No import profile"):
        load_profile("../carriers")


def test_an_after_sales_case_takes_the_order_from_the_bench_that_has_it_open(catalogue, tmp_path):
    from app.demo import DEMO_USERS
    from app.models.schema import User

    services = catalogue
    with services.uow() as uow:
        name, role, badge, _pin = DEMO_USERS[0]
        uow.session.add(User(name=name, role=role, badge=badge))
    profile = load_profile("pdd")
    import_orders(services, write(tmp_path / "a.csv", PDD, [pdd("261128-8", "TEA-1", quantity="2")]), column_map=profile)
    from app.packing.workflow import BenchWorkflow

    flow = BenchWorkflow(services, "BENCH-1")
    assert flow.handle(badge).accepted
    assert flow.handle("261128-8").accepted
    assert flow.handle("6901234567892").accepted  # one of two teas scanned
    report = import_orders(services, write(tmp_path / "b.csv", PDD, [pdd("261128-8", "TEA-1", quantity="2",
                                                                          after="退款中")]), column_map=profile)
    assert [(h.order_no, h.outcome) for h in report.held] == [("261128-8", "put on hold (a bench had it open)")]
    with services.read_uow() as uow:
        order = uow.session.scalar(select(Order).where(Order.order_no == "261128-8"))
        assert (order.state, order.station_id) == ("on_hold", None)
        assert "退款中" in order.hold_reason
    assert not flow.handle("6901234567892").accepted  # the bench stops: the order was taken away


def test_an_order_refunded_or_shipped_elsewhere_since_the_last_import_is_held(catalogue, tmp_path):
    services = catalogue
    profile = load_profile("pdd")
    first = [pdd("261128-21"), pdd("261128-22", "MUG-1"), pdd("261128-23", "SOCK-1")]
    assert import_orders(services, write(tmp_path / "a.csv", PDD, first), column_map=profile).ok
    later = [pdd("261128-21", state="未发货，退款成功"), pdd("261128-22", "MUG-1", state="已发货，待签收"),
             pdd("261128-23", "SOCK-1"), pdd("261128-24", state="已取消")]
    report = import_orders(services, write(tmp_path / "b.csv", PDD, later), column_map=profile)
    assert report.ok and report.orders_unchanged == 1
    assert [(h.line, h.order_no, h.status, h.outcome) for h in report.held] == [
        (2, "261128-21", "未发货，退款成功", "put on hold: the platform shows it cancelled"),
        (3, "261128-22", "已发货，待签收", "put on hold: the platform shows it shipped")]
    got = orders(services)
    assert (got["261128-21"][0], got["261128-22"][0], got["261128-23"][0]) == ("on_hold", "on_hold", "ready")
    assert "未发货，退款成功" in got["261128-21"][3] and "261128-24" not in got
    again = import_orders(services, tmp_path / "b.csv", column_map=profile)
    assert again.ok and again.held == []  # already on hold: nothing more to say or do
