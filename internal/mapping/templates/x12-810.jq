# X12 810 Invoice -> canonical Invoice 1.0.0 (004010).
# TDS01/TDS02 and SAC05 carry two implied decimals (TDS*255438 = 2554.38);
# IT104 carries an explicit decimal point. BIG07 gives the kind through the
# invoiceKinds table ("invoice" when BIG07 is absent); an unknown BIG07 is
# an error, to be added to the adapter's table.

def it1line($i; $cur):
  seg("IT1") as $it1
  | (($it1 | el(1)) // "\($i + 1)") as $no
  | within("IT1 line \($no) (segment \($it1.pos))";
      {lineNumber: $no,
       quantity: qty($it1 | el(2); $it1 | el(3)),
       unitPrice: money($it1 | el(4); $cur),
       priceBasis: ($it1 | el(5)),
       itemIds: ($it1 | itemids(6; 25)),
       description: piddesc,
       allowancesCharges: [segs("SAC") | sac($cur)],
       dates: [segs("DTM") | dtm],
       references: [segs("REF") | ref],
       parties: [.N1_loop[]? | party],
       notes: [(segs("MSG") | msg), (segs("NTE") | nte)],
       position: $it1.pos}
      | compact);

.set as $s
| ($s | seg("BIG")) as $big
| currency($s) as $cur
| ($s | seg("TDS")) as $tds
| [$s | segs("DTM") | dtm] as $dates
| {
    documentType: "Invoice",
    kind: (($big | el(7)) as $t
           | if $t == null then "invoice"
             else ($t | lookup("invoiceKinds")) // error("BIG07 transaction type \"\($t)\" is not in the adapter's invoiceKinds table")
             end),
    transactionTypeCode: ($big | el(7)),
    purpose: ($big | el(8)),
    number: ($big | el(2)),
    invoiceDate: within("BIG (segment \($big.pos))"; $big | el(1) | x12date),
    orderNumber: ($big | el(4)),
    orderDate: within("BIG (segment \($big.pos))"; $big | el(3) | x12date),
    releaseNumber: ($big | el(5)),
    currency: $cur,
    shipDate: ([$dates[] | select(.qualifier == "011") | .date] | .[0]),
    references: [$s | segs("REF") | ref],
    dates: $dates,
    terms: [$s | segs("ITD") | terms($cur)],
    carrier: ($s | seg("CAD") | if . == null then null else
               {mode: el(1), scac: el(4), routing: el(5)} | compact end),
    fob: ($s | seg("FOB") | if . == null then null else fob end),
    parties: [$s.N1_loop[]? | party],
    notes: [($s | segs("MSG") | msg), ($s | segs("NTE") | nte)],
    lines: [($s.IT1_loop // []) as $loops | range(0; $loops | length) as $i | $loops[$i] | it1line($i; $cur)],
    allowancesCharges: [$s | segs("SAC") | sac($cur)],
    shipmentSummary: ($s | seg("ISS") | if . == null then null else
                       {quantity: qty(el(1); el(2)), weight: qty(el(3); el(4))} | compact end),
    totals: (within("TDS (segment \($tds.pos))";
               {invoiceAmount: money($tds | el(1) | implied(2); $cur),
                discountableAmount: money($tds | el(2) | implied(2); $cur)})
             + ($s | seg("CTT") | if . == null then {} else ctt end)
             + {amounts: [$s | segs("AMT") | {qualifier: el(1), amount: money(el(2); $cur)} | compact]}
             | compact),
    source: x12source
  }
| compact
