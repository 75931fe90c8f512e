# X12 945 Warehouse Shipping Advice -> canonical ShipmentNotice 1.0.0 with
# kind "warehouse-shipping-advice" (005010; the 004010 layout is the same).
# The shipment has one order (the depositor's order, W0602, with its PO,
# W0606); each W12 is an item; an N9*LV (license plate) in a W12 loop
# becomes a package holding that item.

.set as $s
| ($s | seg("W06")) as $w06
| ($s | seg("W03")) as $w03
| [($s.LX_loop[]? | .LX[0] as $lx | .W12_loop[]? | {lx: $lx, loop: .}), ($s.W12_loop[]? | {lx: null, loop: .})] as $w12s
| {
    documentType: "ShipmentNotice",
    kind: "warehouse-shipping-advice",
    asnNumber: (($w06 | el(4)) // ($w06 | el(2))),
    status: ($w06 | el(1)),
    shippedAt: within("W06 (segment \($w06.pos))"; $w06 | el(3) | x12date),
    carrier: ($s | seg("W27") | if . == null then null else
               {mode: el(1), scac: el(2), routing: el(3), paymentMethod: el(4)} | compact end),
    references: [$s | segs("N9") | ref],
    dates: [$s | segs("G62") | g62],
    parties: [$s.N1_loop[]? | party],
    notes: [$s | segs("NTE") | nte],
    orders: [{ref: "1", poNumber: ($w06 | el(6)), depositorOrderNumber: ($w06 | el(2))} | compact],
    packages: [$w12s[] | .loop | segs("N9") | select(el(1) == "LV") | el(2)
               | {ref: ., level: "pack", order: "1", ids: [{scheme: "licensePlate", value: ., qualifier: "LV"}]}]
              | unique_by(.ref),
    items: [range(0; $w12s | length) as $i | $w12s[$i] as $e | $e.loop
            | seg("W12") as $w12
            | within("W12 (segment \($w12.pos))";
                {ref: "\($i + 1)",
                 order: "1",
                 package: ([segs("N9") | select(el(1) == "LV") | el(2)] | .[0]),
                 lineNumber: ($e.lx | el(1)),
                 itemIds: ([($w12 | el(6) | values | gs1id("gtin"; .; null))]
                           + ($w12 | itemids(7; 8))),
                 shippedQuantity: qty($w12 | el(3); $w12 | el(5)),
                 orderedQuantity: qty($w12 | el(2); $w12 | el(5)),
                 status: ($w12 | el(1)),
                 lotNumber: ($w12 | el(9)),
                 description: ([segs("G69") | el(1)] | .[0]),
                 references: [segs("N9") | select(el(1) != "LV") | ref],
                 position: $w12.pos}
                | compact)],
    totals: ({units: qty($w03 | el(1); null), weight: qty($w03 | el(2); $w03 | el(3)),
              volume: qty($w03 | el(4); $w03 | el(5))} | compact),
    source: x12source
  }
| compact
