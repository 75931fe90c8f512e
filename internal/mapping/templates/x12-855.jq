# X12 855 Purchase Order Acknowledgment -> canonical OrderAck 1.0.0 (004010,
# including implementation guides such as 004010X358).

def ackline($i; $cur):
  seg("PO1") as $po1
  | (($po1 | el(1)) // "\($i + 1)") as $no
  | within("PO1 line \($no) (segment \($po1.pos))";
      [segs("ACK") | {status: el(1), statusText: (el(1) | lookup("lineStatus")), quantity: qty(el(2); el(3)),
                      promisedDate: (if el(5) == null then null else
                        {qualifier: el(4), type: (el(4) | lookup("dateTypes")), date: (el(5) | x12date)} | compact end)}
                    | compact] as $acks
      | {
          lineNumber: $no,
          quantity: qty($po1 | el(2); $po1 | el(3)),
          unitPrice: money($po1 | el(4); $cur),
          priceBasis: ($po1 | el(5)),
          itemIds: ($po1 | itemids(6; 25)),
          description: piddesc,
          status: $acks[0].status,
          statusText: $acks[0].statusText,
          acks: $acks,
          schedule: [segs("SCH") | schedule],
          dates: [segs("DTM") | dtm],
          references: [(segs("REF") | ref), (.N9_loop[]? | seg("N9") | ref)],
          notes: [(segs("MSG") | msg), (segs("NTE") | nte)],
          position: $po1.pos
        } | compact);

.set as $s
| ($s | seg("BAK")) as $bak
| currency($s) as $cur
| {
    documentType: "OrderAck",
    orderNumber: ($bak | el(3)),
    orderDate: within("BAK (segment \($bak.pos))"; $bak | el(4) | x12date),
    purpose: ($bak | el(1)),
    ackType: ($bak | el(2)),
    status: ($bak | el(2) | lookup("ackTypes")),
    releaseNumber: ($bak | el(5)),
    requestReference: ($bak | el(6)),
    contractNumber: ($bak | el(7)),
    sellerOrderNumber: ($bak | el(8)),
    ackDate: within("BAK (segment \($bak.pos))"; $bak | el(9) | x12date),
    currency: $cur,
    references: [($s | segs("REF") | ref), ($s.N9_loop[]? | seg("N9") | ref)],
    dates: [$s | segs("DTM") | dtm],
    parties: [$s.N1_loop[]? | party],
    contacts: [$s | segs("PER") | contact],
    notes: [($s | segs("MSG") | msg), ($s | segs("NTE") | nte), ($s.N9_loop[]? | segs("MSG") | msg)],
    lines: [($s.PO1_loop // []) as $loops | range(0; $loops | length) as $i | $loops[$i] | ackline($i; $cur)],
    totals: (($s | seg("CTT") | if . == null then {} else ctt end)
             + {amount: ([$s | segs("AMT") | select(el(1) == "1" or el(1) == "TT") | money(el(2); $cur)] | .[0])}
             | compact),
    source: x12source
  }
| compact
