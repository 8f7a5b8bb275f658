"""Reading order files: encodings, formats, headers and every per-row and per-file rule (no database)."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime

import pytest
from import_helpers import EN, ZH, line, write_csv, write_xlsx

from app.carriers import load_catalogue
from app.errors import ImportFileError
from app.imports.orders import read_order_file


def reasons(parsed) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for n, reason in parsed.errors:
        out.setdefault(n, []).append(reason)
    return out


def test_gb18030_csv_with_chinese_headers(tmp_path):
    path = write_csv(tmp_path / "o.csv", [line(carrier="顺丰"), line(sku="MUG", barcode="6902345678905", product="陶瓷马克杯")],
                     header=ZH, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # really not UTF-8
    parsed = read_order_file(path)
    assert parsed.errors == []
    assert parsed.encoding == "gb18030"
    assert [r.recipient_name for r in parsed.rows] == ["张三", "张三"]
    assert parsed.rows[1].product_name == "陶瓷马克杯"
    assert parsed.rows[0].carrier_code == "SF"


def test_gbk_encoded_file_is_read_as_gb18030(tmp_path):
    path = write_csv(tmp_path / "o.csv", [line(address="广东省深圳市南山区科技园")], header=ZH, encoding="gbk")
    parsed = read_order_file(path)
    assert parsed.errors == [] and parsed.rows[0].recipient_address == "广东省深圳市南山区科技园"


@pytest.mark.parametrize("bom", [True, False])
def test_utf8_with_and_without_bom(tmp_path, bom):
    path = write_csv(tmp_path / "o.csv", [line()], header=ZH, bom=bom)
    parsed = read_order_file(path)
    assert parsed.errors == [] and parsed.rows[0].order_no == "PDD-1"
    assert parsed.encoding == "utf-8-sig"


def test_english_headers_trimmed_and_case_insensitive(tmp_path):
    header = [f"  {h.upper()} " for h in EN]
    parsed = read_order_file(write_csv(tmp_path / "o.csv", [line()], header=header))
    assert parsed.errors == [] and parsed.rows[0].quantity == 1 and parsed.rows[0].unit_weight_g == 280


def test_xlsx_with_chinese_headers_and_a_datetime_cell(tmp_path):
    row = line(quantity=3, weight=280, phone=13800138000)
    row[-1] = datetime(2026, 11, 25, 10, 30)
    parsed = read_order_file(write_xlsx(tmp_path / "o.xlsx", [row], header=ZH))
    assert parsed.errors == [], parsed.errors
    got = parsed.rows[0]
    assert got.quantity == 3 and got.recipient_phone == "13800138000"
    assert got.created_at == datetime(2026, 11, 25, 10, 30).astimezone(UTC)  # naive = local time


def test_xlsx_renamed_to_csv_is_still_read_as_xlsx(tmp_path):
    write_xlsx(tmp_path / "o.xlsx", [line()])
    renamed = tmp_path / "renamed.csv"
    renamed.write_bytes((tmp_path / "o.xlsx").read_bytes())
    assert read_order_file(renamed).rows[0].order_no == "PDD-1"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-11-25 10:30:00", datetime(2026, 11, 25, 10, 30)),
        ("2026/11/25 10:30", datetime(2026, 11, 25, 10, 30)),
        ("2026-11-25T10:30:00", datetime(2026, 11, 25, 10, 30)),
        ("2026-1-5 8:05", datetime(2026, 1, 5, 8, 5)),
        ("2026-11-25", datetime(2026, 11, 25)),
    ],
)
def test_created_at_forms_are_local_time(tmp_path, text, expected):
    parsed = read_order_file(write_csv(tmp_path / "o.csv", [line(created_at=text)]))
    assert parsed.errors == [] and parsed.rows[0].created_at == expected.astimezone(UTC)


def test_created_at_with_offset_is_kept(tmp_path):
    parsed = read_order_file(write_csv(tmp_path / "o.csv", [line(created_at="2026-11-25T10:30:00+08:00")]))
    assert parsed.rows[0].created_at == datetime(2026, 11, 25, 2, 30, tzinfo=UTC)


ALIASES = {
    "SF": ["SF", "sf", "顺丰", "顺丰速运"],
    "ZTO": ["ZTO", "中通", "中通快递"],
    "YTO": ["YTO", "圆通", "圆通速递"],
    "STO": ["STO", "申通", "申通快递"],
    "YUNDA": ["YUNDA", "韵达", "韵达快递"],
    "JD": ["JD", "京东", "京东物流"],
    "JT": ["JT", "极兔", "极兔速递"],
    "EMS": ["EMS", "邮政", "邮政EMS", "中国邮政"],
    "DEPPON": ["DEPPON", "德邦", "德邦快递"],
    "UPS": ["UPS"],
    "FEDEX": ["FEDEX", "FedEx"],
    "USPS": ["USPS"],
    "DHL": ["DHL"],
    "OTHER": ["OTHER", "其他"],
}


def test_every_carrier_code_and_chinese_name(tmp_path):
    pairs = [(code, alias) for code, names in ALIASES.items() for alias in names]
    rows = [line(order_no=f"O-{i}", carrier=alias) for i, (_code, alias) in enumerate(pairs)]
    parsed = read_order_file(write_csv(tmp_path / "o.csv", rows, header=ZH))
    assert parsed.errors == []
    assert [r.carrier_code for r in parsed.rows] == [code for code, _alias in pairs]
    assert {c.code for c in load_catalogue().all()} == set(ALIASES)


def test_every_bad_row_is_listed_with_its_line_and_reason(tmp_path):
    rows = [
        line(order_no="A"),                                   # 2 fine
        line(order_no="B", quantity="-2"),                    # 3
        line(order_no="C", quantity="2.5"),                   # 4
        line(order_no="D", quantity="100000"),                # 5
        line(order_no="E", carrier="顺风"),                    # 6 typo: not a carrier
        line(order_no="A", sku="TEA-1"),                      # 7 duplicated order line
        line(order_no="F", name='=HYPERLINK("http://x","点我")'),  # 8
        line(order_no="G", note="@SUM(A1)"),                  # 9
        line(order_no="H", weight="-5"),                      # 10
        line(order_no="I", created_at="yesterday"),           # 11
        line(order_no="J", waybill="SF123"),                  # 12 not an SF number
        line(order_no="K", address="x" * 501),                # 13
        line(order_no="A", sku="MUG", barcode="6902345678905", carrier="ZTO"),  # 14 carrier differs
        line(order_no="L", sku="MUG2", barcode="6901234567892"),  # 15 barcode of TEA-1
        line(order_no="M", name="Tab\there"),                 # 16
        line(order_no="", sku=""),                            # 17
    ]
    parsed = read_order_file(write_csv(tmp_path / "o.csv", rows))
    got = reasons(parsed)
    assert sorted(got) == list(range(3, 18)), got
    assert got[3] == ['quantity "-2" must be a whole number from 1 to 9999']
    assert "whole number" in got[4][0] and "whole number" in got[5][0]
    assert "carrier \"顺风\" is not known" in got[6][0]
    assert got[7] == ["SKU TEA-1 appears twice in order A, first at line 2"]
    assert "formula" in got[8][0] and "formula" in got[9][0]
    assert "unit_weight_g" in got[10][0]
    assert "created_at" in got[11][0]
    assert "not valid for SF" in got[12][0]
    assert "at most 500" in got[13][0]
    assert got[14] == ["carrier differs from line 2 of order A"]
    assert "barcode 6901234567892 is given for SKU TEA-1 at line 2" in got[15][0]
    assert "control characters" in got[16][0]
    assert "order_no is empty" in got[17] and "sku is empty" in got[17]
    assert [r.order_no for r in parsed.rows] == ["A"]


def test_blank_order_cells_on_later_lines_take_the_orders_values(tmp_path):
    rows = [line(), line(carrier="", name="", phone="", address="", sku="MUG", barcode="6902345678905",
                         created_at="")]
    parsed = read_order_file(write_csv(tmp_path / "o.csv", rows))
    assert parsed.errors == [] and len(parsed.rows) == 2


def test_order_without_recipient_is_a_bad_row(tmp_path):
    parsed = read_order_file(write_csv(tmp_path / "o.csv", [line(), line(order_no="X", phone="")]))
    assert parsed.errors == [(3, "order X has no recipient_phone")]


def test_phone_with_plus_and_dash_in_note_are_not_formulas(tmp_path):
    parsed = read_order_file(write_csv(tmp_path / "o.csv", [line(phone="+86 138 0013 8000", note="- 易碎 -2")]))
    assert parsed.errors == []


def test_missing_required_columns_are_named(tmp_path):
    header = [h for h in EN if h not in ("quantity", "carrier")]
    path = write_csv(tmp_path / "o.csv", [[1] * len(header)], header=header)
    with pytest.raises(ImportFileError, match=r"missing required columns: carrier/快递公司, quantity/数量"):
        read_order_file(path)


def test_file_without_any_known_header(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("hello,world\n1,2\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="does not look like an order file"):
        read_order_file(path)


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"  \r\n\r\n"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "o.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match="is empty"):
        read_order_file(path)


def test_header_only(tmp_path):
    with pytest.raises(ImportFileError, match="no order lines"):
        read_order_file(write_csv(tmp_path / "o.csv", []))


def test_garbage_bytes_are_refused_clearly(tmp_path):
    import random

    rnd = random.Random(7)
    path = tmp_path / "o.csv"
    path.write_bytes(bytes(rnd.randrange(1, 256) for _ in range(20000)))
    with pytest.raises(ImportFileError) as err:
        read_order_file(path)
    assert "o.csv" in err.value.message and "\n" not in err.value.message


def test_binary_with_nul_bytes(tmp_path):
    path = tmp_path / "o.csv"
    path.write_bytes(b"order_no,carrier\x00\x00\x01\x02")
    with pytest.raises(ImportFileError, match="binary"):
        read_order_file(path)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("o.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "is a PDF"),
        ("o.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel .xls"),
        ("o.xlsx", b"order_no,carrier\n", "not a valid XLSX"),
        ("o.json", b'{"order_no": 1}', "unsupported file type .json"),
    ],
)
def test_other_formats_are_refused(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message):
        read_order_file(path)


def test_corrupt_xlsx(tmp_path):
    path = tmp_path / "o.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    with pytest.raises(ImportFileError, match="XLSX"):
        read_order_file(path)


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path):
    path = write_csv(tmp_path / "o.csv", [line(order_no=f"O-{i}") for i in range(2000)])
    with pytest.raises(ImportFileError, match="limit is 0 MB: split the file"):
        read_order_file(path, max_bytes=1000)


def test_utf8_file_with_a_gbk_line_deep_inside(tmp_path):
    rows = [line(order_no=f"O-{i}", address="北京市" * 50) for i in range(3000)]  # > the 256 KB sample
    path = write_csv(tmp_path / "o.csv", rows)
    path.write_bytes(path.read_bytes() + "O-X,SF,王五,1,上海,TEA-1,,,1,1,,,\r\n".encode("gbk"))
    with pytest.raises(ImportFileError, match="not valid utf-8-sig text near line"):
        read_order_file(path)


def test_tab_separated_utf16_from_excel_unicode_text(tmp_path):
    text = "\t".join(EN) + "\r\n" + "\t".join(str(v) for v in line()) + "\r\n"
    path = tmp_path / "o.txt"
    path.write_bytes(text.encode("utf-16"))
    parsed = read_order_file(path)
    assert parsed.errors == [] and parsed.rows[0].order_no == "PDD-1"
