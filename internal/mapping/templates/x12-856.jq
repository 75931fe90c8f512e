# X12 856 Ship Notice/Manifest -> canonical ShipmentNotice 1.0.0.
# Versions: 004010, 004060 and 002001 (YYMMDD dates). The HL hierarchy comes
# from the parsed tree (built from HL01/HL02, never from segment order):
# shipment (S), order (O), tare (T), pack (P) and item (I) levels in any
# of the usual shapes (S-O-P-I, S-O-I, S-O-T-P-I, S-T-I, packs under items).
# An HL whose parent does not exist is an error: the hierarchy is broken.

# hl($order; $package): every node below and including the input node,
# as {node, order, package}: the refs of the nearest order and package
# (tare or pack) above the node.
def hl($order; $package):
  {node: ., order: $order, package: $package},
  ((if .level == "order" then .id else $order end) as $o
   | (if .level == "pack" or .level == "tare" then .id else $package end) as $p
   | .children[]? | hl($o; $p));

def where: "HL \(.id) (segment \(.HL[0].pos))";

.set as $s
| [$s.HL_tree[]? | hl(null; null)] as $all
| ([$all[] | select(.node.parent_missing) | .node] | .[0]) as $orphan
| if $orphan != null then
    error("HL \($orphan.id) (segment \($orphan.HL[0].pos)) names parent HL \($orphan.parent), which is not an earlier HL: the HL hierarchy is broken")
  else . end
| ([$all[] | select(.node.level == "shipment") | .node] | .[0] // {}) as $ship
| ($s | seg("BSN")) as $bsn
| currency($s) as $cur
| [($s | segs("DTM")), ($ship | segs("DTM")) | dtm] as $dates
| [($s | segs("REF")), ($ship | segs("REF")) | ref] as $refs
| (($ship | seg("TD1")) // ($s | seg("TD1"))) as $td1
| ([($ship | segs("MEA")), ($s | segs("MEA")) | select(el(1) == "PD" and el(2) == "G") | qty(el(3); el(4))] | .[0]) as $meaWeight
| {
    documentType: "ShipmentNotice",
    kind: "ship-notice",
    asnNumber: ($bsn | el(2)),
    purpose: ($bsn | el(1)),
    createdAt: within("BSN (segment \($bsn.pos))"; $bsn | el(3) | x12date),
    createdTime: within("BSN (segment \($bsn.pos))"; $bsn | el(4) | x12time),
    structureCode: ($bsn | el(5)),
    shippedAt: ([$dates[] | select(.qualifier == "011") | .date] | .[0]),
    shippedTime: ([$dates[] | select(.qualifier == "011") | .time] | .[0]),
    estimatedDelivery: ([$dates[] | select(.qualifier == "017") | .date] | .[0]),
    carrier: ((($ship | seg("TD5")) // ($s | seg("TD5"))) | if . == null then null else td5 end),
    billOfLading: ([$refs[] | select(.qualifier == "BM") | .value] | .[0]),
    proNumber: ([$refs[] | select(.qualifier == "CN") | .value] | .[0]),
    equipment: ((($ship | seg("TD3")) // ($s | seg("TD3")))
                | if . == null then null else {type: el(1), initial: el(2), number: el(3), seal: el(9)} | compact end),
    fob: ((($ship | seg("FOB")) // ($s | seg("FOB"))) | if . == null then null else fob end),
    references: $refs,
    dates: $dates,
    parties: [($s.N1_loop[]?), ($ship.N1_loop[]?) | party],
    notes: [($s | segs("NTE")), ($ship | segs("NTE")) | nte],
    orders: [$all[] | select(.node.level == "order") | .node
             | within(where;
                 seg("PRF") as $prf
                 | {ref: .id, poNumber: ($prf | el(1)), releaseNumber: ($prf | el(2)),
                    poDate: ($prf | el(4) | x12date),
                    invoiceNumber: ([segs("REF") | select(el(1) == "IV") | el(2)] | .[0]),
                    packages: (seg("TD1") | if . == null then null else qty(el(2); el(1)) end),
                    references: [segs("REF") | ref],
                    parties: [.N1_loop[]? | party]}
                 | compact)],
    packages: [$all[] | select(.node.level == "tare" or .node.level == "pack") as $e | $e.node
               | within(where;
                   [segs("MAN") | (idpairs(1; 2)[], idpairs(4; 5)[]) | x12id("markQualifiers"; .qualifier; .value)] as $ids
                   | {ref: .id, level: .level, parent: opt(.parent), order: $e.order,
                      sscc: ([$ids[] | select(.scheme == "sscc") | .value] | .[0]),
                      ids: $ids,
                      packaging: (seg("PO4") | pack),
                      quantity: (seg("SN1") | if . == null then null else qty(el(2); el(3)) end),
                      weight: ([segs("MEA") | select(el(1) == "PD" and (el(2) == "G" or el(2) == "WT")) | qty(el(3); el(4))] | .[0]),
                      references: [segs("REF") | ref]}
                   | compact)],
    items: [$all[] | select(.node.level == "item") as $e | $e.node
            | within(where;
                seg("LIN") as $lin
                | seg("SN1") as $sn1
                | [$lin | idpairs(2; 31)[]] as $pairs
                | [segs("REF") | ref] as $irefs
                | [segs("DTM") | dtm] as $idates
                | {ref: .id, parent: opt(.parent), order: $e.order, package: $e.package,
                   lineNumber: ($lin | el(1)),
                   itemIds: [$pairs[] | select(.qualifier != "LT") | x12id("itemQualifiers"; .qualifier; .value)],
                   shippedQuantity: (if $sn1 == null then null else qty($sn1 | el(2); $sn1 | el(3)) end),
                   orderedQuantity: (if $sn1 == null then null else qty($sn1 | el(5); $sn1 | el(6)) end),
                   status: ($sn1 | el(8)),
                   lotNumber: (([$pairs[] | select(.qualifier == "LT") | .value] + [$irefs[] | select(.qualifier == "LT") | .value]) | .[0]),
                   expiry: ([$idates[] | select(.qualifier == "036") | .date] | .[0]),
                   description: piddesc,
                   pack: (seg("PO4") | pack),
                   dates: $idates,
                   references: $irefs,
                   position: ($lin.pos // .HL[0].pos)}
                | compact)],
    totals: ({packages: ($td1 | if . == null then null else qty(el(2); el(1)) end),
              weight: (($td1 | if . == null then null else qty(el(7); el(8)) end) // $meaWeight),
              volume: ($td1 | if . == null then null else qty(el(9); el(10)) end)}
             + {hlCount: ($s | seg("CTT") | el(1) | integer), hashQuantity: ($s | seg("CTT") | el(2) | decimal)}
             | compact),
    source: x12source
  }
| compact
