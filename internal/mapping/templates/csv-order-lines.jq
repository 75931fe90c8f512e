# CSV order lines -> canonical Order 1.0.0, one Order per PO number (parse
# with Header and GroupBy "po_number"). Columns (a header row names them;
# extra columns are ignored, empty cells are absent values):
#   po_number, order_date (YYYY-MM-DD or YYYYMMDD), line, gtin, buyer_sku,
#   vendor_sku, description, qty, uom, unit_price, currency, ship_to_gln,
#   ship_to_name
# Header fields (order_date, currency, ship_to_*) come from the first row
# of the PO. Line numbers default to the row's position in the PO.

def cell($name): opt(.[$name]);

.rows as $rows
| .rowNumbers as $nums
| ($rows[0]) as $h
| (($h | cell("currency")) // ($tables.defaults // {}).currency) as $cur
| {
    documentType: "Order",
    kind: "purchase-order",
    number: .key,
    orderDate: within("row \($nums[0]), column order_date"; $h | cell("order_date") | isodate),
    currency: $cur,
    parties: [$h | select(cell("ship_to_gln") != null or cell("ship_to_name") != null)
              | within("row \($nums[0])";
                  {role: "shipTo",
                   name: cell("ship_to_name"),
                   ids: [cell("ship_to_gln") | values | gs1id("gln"; .; null)]} | compact)],
    lines: [range(0; $rows | length) as $i | $rows[$i]
            | within("row \($nums[$i])";
                {lineNumber: (cell("line") // "\($i + 1)"),
                 quantity: qty(cell("qty"); cell("uom")),
                 unitPrice: money(cell("unit_price"); $cur),
                 itemIds: [(cell("gtin") | values | gs1id("gtin"; .; null)),
                           (cell("buyer_sku") | values | {scheme: "buyerItem", value: .}),
                           (cell("vendor_sku") | values | {scheme: "vendorItem", value: .})],
                 description: cell("description")}
                | compact)],
    totals: {lineCount: ($rows | length)},
    source: {format: "csv", documentKey: .key}
  }
| compact
