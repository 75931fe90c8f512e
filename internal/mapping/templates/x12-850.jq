# X12 850 Purchase Order -> canonical Order 1.0.0.
# Versions: 004010 (CCYYMMDD dates) and 003010/003050 (YYMMDD dates, read by
# x12date with its century window); the segment layout used here is the
# same in all of them.
#
# po1line runs once per PO1 loop, so it is written for gojq's interpreter,
# where every construct costs: the PO1 segment is bound once ($po1), the
# natives are called directly (_itemids($tables; 6; 25) is itemids(6; 25)
# without the closures of a jq-defined function), and the optional parts
# of a line (SAC, SCH, DTM, REF, N9, N1, MSG, NTE, SLN) are only looked
# for when the loop holds more than its PO1, PID and PO4.

.set as $s
| ($s | seg("BEG")) as $beg
| currency($s) as $cur

# po1line($i): a PO1 loop instance -> an OrderLine ($i: its 0-based index).
| def po1line($i):
    seg("PO1") as $po1
    | (($po1 | el(1)) // "\($i + 1)") as $no
    | within("PO1 line \($no) (segment \($po1.pos))";
        ({lineNumber: $no,
          quantity: ($po1 | qty(el(2); el(3))),
          unitPrice: ($po1 | money(el(4); $cur)),
          priceBasis: ($po1 | el(5)),
          itemIds: ($po1 | _itemids($tables; 6; 25)),
          description: piddesc,
          pack: (seg("PO4") | pack),
          position: $po1.pos}
         | compact) as $line
        | if length == 3 and .PID and .PO4 then $line   # only PO1, PID and PO4
          else $line
               + ({allowancesCharges: [segs("SAC") | sac($cur)],
                   schedule: [segs("SCH") | schedule],
                   dates: [segs("DTM") | dtm],
                   references: [(segs("REF") | ref), (segs("N9_loop") | seg("N9") | ref)],
                   parties: [segs("N1_loop") | party],
                   notes: [(segs("MSG") | msg), (segs("NTE") | nte), (segs("N9_loop") | segs("MSG") | msg)],
                   sublines: [segs("SLN_loop") | seg("SLN")
                              | {lineNumber: el(1), relationship: el(3), quantity: qty(el(4); el(5)),
                                 unitPrice: money(el(6); $cur), priceBasis: el(7), itemIds: itemids(9; 28)}
                              | compact]}
                  | compact)
          end);

{
  documentType: "Order",
  kind: "purchase-order",
  number: ($beg | el(3)),
  purpose: ($beg | el(1)),
  type: ($beg | el(2)),
  releaseNumber: ($beg | el(4)),
  orderDate: within("BEG (segment \($beg.pos))"; $beg | el(5) | x12date),
  contractNumber: ($beg | el(6)),
  currency: $cur,
  references: [($s | segs("REF") | ref), ($s | segs("N9_loop") | seg("N9") | ref)],
  dates: [$s | segs("DTM") | dtm],
  terms: [$s | segs("ITD") | terms($cur)],
  carrier: ($s | seg("TD5") | if . == null then null else td5 end),
  fob: ($s | seg("FOB") | if . == null then null else fob end),
  parties: [$s | segs("N1_loop") | party],
  contacts: [$s | segs("PER") | contact],
  notes: [($s | segs("MSG") | msg), ($s | segs("NTE") | nte), ($s | segs("N9_loop") | segs("MSG") | msg)],
  allowancesCharges: [$s | segs("SAC") | sac($cur)],
  lines: [foreach ($s.PO1_loop // [])[] as $loop (-1; . + 1; . as $i | $loop | po1line($i))],
  totals: (($s | seg("CTT") | if . == null then {} else ctt end)
           + {amount: ([$s | segs("AMT") | select(el(1) == "1" or el(1) == "TT") | money(el(2); $cur)] | .[0])}
           | compact),
  source: x12source
}
| compact
