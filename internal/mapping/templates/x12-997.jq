# X12 997 Functional Acknowledgment -> canonical FunctionalAck 1.0.0
# (004010 and 005010).

.set as $s
| ($s | seg("AK1")) as $ak1
| ($s | seg("AK9")) as $ak9
| {
    documentType: "FunctionalAck",
    ackedGroup: ({functionalId: ($ak1 | el(1)), controlNumber: ($ak1 | el(2)), version: ($ak1 | el(3))} | compact),
    groupStatus: ($ak9 | el(1)),
    counts: within("AK9 (segment \($ak9.pos))";
              {included: ($ak9 | el(2) | integer), received: ($ak9 | el(3) | integer),
               accepted: ($ak9 | el(4) | integer)} | compact),
    groupErrors: [$ak9 | el(5), el(6), el(7), el(8), el(9) | values],
    sets: [$s.AK2_loop[]?
           | seg("AK2") as $ak2 | seg("AK5") as $ak5
           | within("AK2 (segment \($ak2.pos))";
               {setId: ($ak2 | el(1)), controlNumber: ($ak2 | el(2)), implementationReference: ($ak2 | el(3)),
                status: ($ak5 | el(1)),
                errorCodes: [$ak5 | el(2), el(3), el(4), el(5), el(6) | values],
                segmentErrors: [.AK3_loop[]?
                                | seg("AK3") as $ak3
                                | {segmentId: ($ak3 | el(1)), position: ($ak3 | el(2) | integer),
                                   loopId: ($ak3 | el(3)), code: ($ak3 | el(4)),
                                   elementErrors: [segs("AK4") | {position: (el(1; 1) | integer),
                                                                   componentPosition: (el(1; 2) | integer),
                                                                   reference: el(2), code: el(3), value: el(4)} | compact]}
                                | compact]}
               | compact)],
    source: x12source
  }
| compact
| .sets //= []
