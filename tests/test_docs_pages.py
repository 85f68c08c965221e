"""Documents nobody here has seen: the page reader on table and prose layouts other exchanges use.

The pages are written here, in the shapes such documentation takes (Slate/ReadMe markdown, HTML
tables, copied pages that lost their separators); none of them is a bundled venue's document.
"""

from __future__ import annotations

from specgen.docs.page import read_page
from specgen.docs.prose import limits_in


def _facts(text: str) -> dict[str, tuple[str | None, bool | None]]:
    page = read_page(text)
    out: dict[str, tuple[str | None, bool | None]] = {}

    def walk(fields: dict, prefix: str) -> None:  # type: ignore[type-arg]
        for name, d in fields.items():
            out[prefix + name] = (d.type, d.required)
            walk(d.children, f"{prefix}{name}.")

    walk(page.request, "")
    return out


SLATE = """# Cancel multiple orders

`POST /api/v5/trade/cancel-batch-orders`

Cancel incomplete orders in batches. Maximum 20 orders can be canceled per request.

#### Request Parameters

Parameter | Type | Required | Description
--------- | ---- | -------- | -----------
instId | String | Yes | Instrument ID, e.g. `BTC-USDT`
ordId | String | Conditional | Order ID. Either `ordId` or `clOrdId` is required.
clOrdId | String | Conditional | Client Order ID

#### Response Parameters

Parameter | Type | Description
--------- | ---- | -----------
code | String | The result code
data | Array of objects | Array of objects contains the response results
> ordId | String | Order ID
> sCode | String | The code of the event execution result
"""


def test_slate_tables_without_outer_pipes_and_conditional_required() -> None:
    page = read_page(SLATE)
    assert (page.method, page.path) == ("POST", "/api/v5/trade/cancel-batch-orders")
    assert _facts(SLATE) == {"instId": ("String", True), "ordId": ("String", None), "clOrdId": ("String", None)}
    [view] = page.responses
    assert set(view.fields) == {"code", "data"} and set(view.fields["data"].children) == {"ordId", "sCode"}
    assert [(lim.bound, lim.n) for lim in page.limits] == [("max", 20)]


GATE = """## Cancel a batch of orders with an ID list

DELETE /spot/cancel_batch_orders

Multiple currency pairs can be specified, but maximum 20 orders are allowed per request

### Parameters

|Name|In|Type|Required|Description|
|---|---|---|---|---|
|body|body|array[object]|true|none|
|» currency_pair|body|string|true|Currency pair|
|» id|body|string|true|Order ID or user custom ID.|
|» account|body|string|false|If cancelled order is cross margin order, this field must be set to `cross_margin`|
"""


def test_guillemet_nesting_and_extra_columns() -> None:
    facts = _facts(GATE)
    assert facts == {
        "body": ("array[object]", True),
        "body.currency_pair": ("string", True),
        "body.id": ("string", True),
        "body.account": ("string", False),
    }


DERIBIT = """### Parameters

| Parameter | Required | Type | Enum | Description |
|-----------|----------|------|------|-------------|
| currency | true | string | `BTC` `ETH` `USDC` | The currency symbol |
| kind | false | string | `future` `option` `spot` | Instrument kind, all kinds when left out |
| count | false | integer | | Number of requested items, default - `20`, maximum - `1000` |
"""


def test_an_enum_column_and_limits_in_cells() -> None:
    page = read_page(DERIBIT)
    assert page.request["currency"].values == ("BTC", "ETH", "USDC")
    assert page.request["kind"].values == ("future", "option", "spot")
    assert [(lim.bound, lim.n) for lim in page.request["count"].limits] == [("max", 1000)]


KUCOIN_HTML = """<h3>Request Parameters</h3>
<table>
  <tr><th>Param</th><th>Type</th><th>Mandatory</th><th>Description</th></tr>
  <tr><td>symbol</td><td>String</td><td>Yes</td><td>symbol</td></tr>
  <tr><td>orderIds</td><td>Array&lt;String&gt;</td><td>No</td><td>Order ids, up to 50 ids</td></tr>
</table>
"""


def test_html_tables_keep_their_lines() -> None:
    page = read_page(KUCOIN_HTML)
    assert {n: (d.type, d.required, d.line) for n, d in page.request.items()} == {
        "symbol": ("String", True, 4),
        "orderIds": ("Array<String>", False, 5),
    }
    assert [(lim.bound, lim.n) for lim in page.request["orderIds"].limits] == [("max", 50)]


def test_an_html_endpoint_line_without_a_leading_slash() -> None:
    page = read_page(
        "<p>The content-type of POST requests is JSON; see https://example.test/a.</p>\n"
        "<ul><li><strong>POST</strong> <code>api/v1/private/order/cancel</code></li></ul>\n" + KUCOIN_HTML
    )
    assert (page.method, page.path) == ("POST", "/api/v1/private/order/cancel")


COPIED = """Request Parameters

ParameterTypeMandatoryDescription
symbolSTRINGYESTrading pair
orderIdListLIST<LONG>NOmax 10 ids
isIsolatedBOOLEANNOdefault false
"""


def test_a_table_that_lost_its_separators() -> None:
    assert _facts(COPIED) == {
        "symbol": ("STRING", True),
        "orderIdList": ("LIST<LONG>", False),
        "isIsolated": ("BOOLEAN", False),
    }
    assert [(lim.bound, lim.n) for lim in read_page(COPIED).request["orderIdList"].limits] == [("max", 10)]


def test_limits_in_words() -> None:
    def said(text: str) -> list[tuple[str, int, tuple[str, ...]]]:
        return [(lim.bound, lim.n, lim.when) for lim in limits_in(text, 1)]

    assert said("max length 10") == [("max", 10, ())]
    assert said("Order ID List ，maximum length: 50") == [("max", 50, ())]
    assert said("The maximum number of orders is 30.") == [("max", 30, ())]
    assert said("Up to 1,000 symbols") == [("max", 1000, ())]
    assert said("A maximum of 20 orders (linear), 10 orders (spot) per request") == [
        ("max", 20, ("linear",)),
        ("max", 10, ("spot",)),
    ]
    assert said("0 or 1, default 0") == [("min", 0, ()), ("max", 1, ())]
    assert said("at least 2 characters") == [("min", 2, ())]
    assert said("Frequency limit: 10 times/1s (UID)") == []
    assert said("maximum 5 requests per second") == []
