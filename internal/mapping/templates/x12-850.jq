# X12 850 Purchase Order -> canonical Order 1.0.0.
# Versions: 004010 (CCYYMMDD dates) and 003010/003050 (YYMMDD dates, read by
# x12date with its century window); the segment layout used here is the
# same in all of them.

def po1line($i; $cur):
  seg("PO1") as $po1
  | (($po1 | el(1)) // "\($i + 1)") as $no
  | within("PO1 line \($no) (segment \($po1.pos))";
      {
        lineNumber: $no,
        quantity: qty($po1 | el(2); $po1 | el(3)),
        unitPrice: money($po1 | el(4); $cur),
        priceBasis: ($po1 | el(5)),
        itemIds: ($po1 | itemids(6; 25)),
        description: piddesc,
        pack: (seg("PO4") | pack),
        allowancesCharges: [segs("SAC") | sac($cur)],
        schedule: [segs("SCH") | schedule],
        dates: [segs("DTM") | dtm],
        references: [(segs("REF") | ref), (.N9_loop[]? | seg("N9") | ref)],
        parties: [.N1_loop[]? | party],
        notes: [(segs("MSG") | msg), (segs("NTE") | nte), (.N9_loop[]? | segs("MSG") | msg)],
        sublines: [.SLN_loop[]? | seg("SLN")
                   | {lineNumber: el(1), relationship: el(3), quantity: qty(el(4); el(5)),
                      unitPrice: money(el(6); $cur), priceBasis: el(7), itemIds: itemids(9; 28)}
                   | compact],
        position: $po1.pos
      } | compact);

.set as $s
| ($s | seg("BEG")) as $beg
| currency($s) as $cur
| {
    documentType: "Order",
    kind: "purchase-order",
    number: ($beg | el(3)),
    purpose: ($beg | el(1)),
    type: ($beg | el(2)),
    releaseNumber: ($beg | el(4)),
    orderDate: within("BEG (segment \($beg.pos))"; $beg | el(5) | x12date),
    contractNumber: ($beg | el(6)),
    currency: $cur,
    references: [($s | segs("REF") | ref), ($s.N9_loop[]? | seg("N9") | ref)],
    dates: [$s | segs("DTM") | dtm],
    terms: [$s | segs("ITD") | terms($cur)],
    carrier: ($s | seg("TD5") | if . == null then null else td5 end),
    fob: ($s | seg("FOB") | if . == null then null else fob end),
    parties: [$s.N1_loop[]? | party],
    contacts: [$s | segs("PER") | contact],
    notes: [($s | segs("MSG") | msg), ($s | segs("NTE") | nte), ($s.N9_loop[]? | segs("MSG") | msg)],
    allowancesCharges: [$s | segs("SAC") | sac($cur)],
    lines: [($s.PO1_loop // []) as $loops | range(0; $loops | length) as $i | $loops[$i] | po1line($i; $cur)],
    totals: (($s | seg("CTT") | if . == null then {} else ctt end)
             + {amount: ([$s | segs("AMT") | select(el(1) == "1" or el(1) == "TT") | money(el(2); $cur)] | .[0])}
             | compact),
    source: x12source
  }
| compact
