# X12 940 Warehouse Shipping Order -> canonical Order 1.0.0 with kind
# "warehouse-shipping-order" (004010). The reference model makes a 940 an
# Order (a depositor orders its warehouse to ship), not a ShipmentNotice:
# nothing has shipped yet; the matching 945 is the ShipmentNotice.
# number is the depositor order number (W0502); W0503 is the customer's PO.
# Lines: each W01 (in an LX loop or on its own); W0103 is a U.P.C. case
# code (a GTIN), W0104/05 and W0106/07 qualifier/value pairs.

def w01line($no; $cur):
  seg("W01") as $w01
  | within("W01 line \($no) (segment \($w01.pos))";
      {lineNumber: $no,
       quantity: qty($w01 | el(1); $w01 | el(2)),
       itemIds: ([($w01 | el(3) | values | gs1id("gtin"; .; null))] + ($w01 | itemids(4; 7))),
       description: ([segs("G69") | el(1)] | .[0]),
       dates: [segs("G62") | g62],
       references: [segs("N9") | select(el(2) != null or el(3) != null) | ref],
       notes: [segs("NTE") | nte],
       position: $w01.pos}
      | compact);

.set as $s
| ($s | seg("W05")) as $w05
| currency($s) as $cur
| [($s.LX_loop[]? | (.LX[0] | el(1)) as $lx | .W01_loop[]? | {lx: $lx, loop: .}),
   ($s.W01_loop[]? | {lx: null, loop: .})] as $w01s
| ($s | seg("W66")) as $w66
| ($s | seg("W76")) as $w76
| {
    documentType: "Order",
    kind: "warehouse-shipping-order",
    number: ($w05 | el(2)),
    purchaseOrderNumber: ($w05 | el(3)),
    purpose: ($w05 | el(1)),
    currency: $cur,
    references: [$s | segs("N9") | ref],
    dates: [$s | segs("G62") | g62],
    carrier: (if $w66 == null then null else
                {paymentMethod: ($w66 | el(1)), mode: ($w66 | el(2)), routing: ($w66 | el(5)), scac: ($w66 | el(10))}
                | compact end),
    parties: [$s.N1_loop[]? | party],
    notes: [$s | segs("NTE") | nte],
    lines: [range(0; $w01s | length) as $i | $w01s[$i] | .lx as $lx | .loop | w01line($lx // "\($i + 1)"; $cur)],
    totals: ({quantity: qty($w76 | el(1); null), weight: qty($w76 | el(2); $w76 | el(3)),
              volume: qty($w76 | el(4); $w76 | el(5))} | compact),
    source: x12source
  }
| compact
