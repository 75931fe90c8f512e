# X12 846 Inventory Inquiry/Advice -> canonical InventoryAdvice 1.0.0
# (005010; the 004010 layout is the same). Quantities keep their QTY01
# qualifier; SDQ gives quantities per location (SDQ02 qualifies the
# location ids).

.set as $s
| ($s | seg("BIA")) as $bia
| currency($s) as $cur
| [$s | segs("DTM") | dtm] as $dates
| {
    documentType: "InventoryAdvice",
    reportId: ($bia | el(3)),
    reportDate: within("BIA (segment \($bia.pos))"; $bia | el(4) | x12date),
    reportTime: within("BIA (segment \($bia.pos))"; $bia | el(5) | x12time),
    purpose: ($bia | el(1)),
    reportType: ($bia | el(2)),
    asOf: ($dates[0].date),
    references: [$s | segs("REF") | ref],
    dates: $dates,
    parties: [$s.N1_loop[]? | party],
    notes: [$s | segs("NTE") | nte],
    items: [($s.LIN_loop // [])[]
            | seg("LIN") as $lin
            | within("LIN (segment \($lin.pos))";
                {lineNumber: ($lin | el(1)),
                 itemIds: ($lin | itemids(2; 31)),
                 description: piddesc,
                 unitPrice: ([segs("CTP") | money(el(3); $cur)] | .[0]),
                 quantities: [segs("QTY") | {qualifier: el(1), type: (el(1) | lookup("quantityTypes")),
                                             quantity: qty(el(2); el(3))} | compact],
                 byLocation: [segs("SDQ") | el(2) as $q | el(1) as $unit | . as $sdq
                              | range(3; 23; 2) as $n
                              | ($sdq | el($n)) as $loc | ($sdq | el($n + 1)) as $v
                              | select($loc != null and $v != null)
                              | {location: x12id("partyQualifiers"; $q; $loc), quantity: qty($v; $unit)}],
                 dates: [segs("DTM") | dtm],
                 references: [segs("REF") | ref],
                 position: $lin.pos}
                | compact)],
    totals: ($s | seg("CTT") | if . == null then null else ctt end),
    source: x12source
  }
| compact
