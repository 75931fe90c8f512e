# Crossdock mapping prelude: jq definitions available to every mapping
# program, next to the native helpers (functions.go): x12date, x12time,
# isodate, implied(n), decimal, integer, gtin, gln, sscc (each with an
# optional verify argument), gs1valid, el(n), el(n; c), idpairs(first;
# last), compact, seg(id), segs(id), qty(value; unit), money(amount;
# currency), pack (a PO4 segment as a Pack), piddesc (the first PID*F
# description of a loop), opt(v) (null for null and ""). $tables holds the adapter's lookup tables; the
# table-driven helpers are native (_lookup, _gs1id, _x12id, _itemids) and
# wrapped here to pass $tables.

# Generic ---------------------------------------------------------------

# many: the elements of an array, a single value as itself, nothing for
# null (XML children that may or may not repeat).
def many: if type == "array" then .[] elif . == null then empty else . end;

# lookup($table): the entry of the adapter table named $table for the
# input code, or null when the code is unknown. An unknown table name is an
# error, so a typo does not silently turn every code into null.
def lookup($table): _lookup($tables; $table);

# within(where; f): runs f; if it fails, the error names where (several
# nested within calls give a path, outermost first). where is evaluated
# only on failure, on the same input as f, so describing the context costs
# nothing on the happy path.
def within(where; f):
  . as $in
  | try f
    catch (. as $err | ($in | where) as $w
           | error(if ($err | type) == "object" and ($err | has("message"))
                   then $err | .where = ([$w] + (.where // []))
                   else {message: (if ($err | type) == "string" then $err else ($err | tojson) end), where: [$w]}
                   end));

# Canonical building blocks -----------------------------------------------

# gs1id($kind; $value; $qualifier): a gtin/gln/sscc identifier. With the
# adapter policy checkDigits = "flag", a key whose check digit is wrong is
# kept (normalised) with checkDigitValid: false; otherwise ("strict", the
# default) it is an error.
def gs1id($kind; $value; $qualifier): _gs1id($tables; $kind; $value; $qualifier);

# x12id($table; $qualifier; $value): an identifier from an X12 qualifier
# and value, the scheme looked up in $table; unknown qualifiers keep their
# code as scheme "x12:<code>".
def x12id($table; $qualifier; $value): _x12id($tables; $table; $qualifier; $value);

# itemids($first; $last): item identifiers from qualifier/value pairs of
# the input segment.
def itemids($first; $last): _itemids($tables; $first; $last);

# X12 segments (input: a segment object) ----------------------------------
#
# These run once per segment, so they are written for gojq's interpreter:
# element values that cannot fail (el) are bound once with `as`; the
# table-driven natives are called directly (_lookup($tables; "name")
# instead of lookup("name"): every argument of a jq-defined function is a
# closure, an allocation and a call); arrays that compact would drop are
# only built when their segments are there (null instead of []); el(n) is
# a non-empty string or null and seg(id) an object or null, so they are
# tested as `if x then` (a jump) rather than `x != null` (a call with
# closure arguments), and `el(n) // empty` skips a missing element. Values
# that can fail are still computed in the order of the object, so the
# first error reported is the same.

def ref: el(1) as $q | el(2) as $v | el(3) as $d
  | {qualifier: $q, type: ($q | _lookup($tables; "referenceTypes")), value: ($v // $d),
     description: (if $v then $d else null end)} | compact;
def dtm: el(1) as $q
  | {qualifier: $q, type: ($q | _lookup($tables; "dateTypes")), date: (el(2) | x12date),
     time: (el(3) | x12time), timeCode: el(4)} | compact;
def g62: el(1) as $q
  | {qualifier: $q, type: ($q | _lookup($tables; "g62DateTypes")), date: (el(2) | x12date),
     time: (el(4) | x12time)} | compact;
def msg: {text: el(1)} | compact;
def nte: {qualifier: el(1), text: el(2)} | compact;
def contact:
  idpairs(3; 8) as $c
  | {function: el(1), name: el(2),
     phone: ([$c[] | select(.qualifier == "TE") | .value] | .[0]),
     email: ([$c[] | select(.qualifier == "EM") | .value] | .[0]),
     fax: ([$c[] | select(.qualifier == "FX") | .value] | .[0]),
     other: [$c[] | select(.qualifier != "TE" and .qualifier != "EM" and .qualifier != "FX")
             | {qualifier, value} | compact]}
  | compact;
def td5: {idQualifier: el(2), id: el(3), scac: (if el(2) == "2" then el(3) else null end),
          mode: el(4), routing: el(5), serviceLevel: el(12)} | compact;
def fob: {paymentMethod: el(1), locationQualifier: el(2), location: el(3), termsQualifier: el(4),
          terms: el(5), titleLocationQualifier: el(6), titleLocation: el(7)} | compact;
def terms($cur):
  {typeCode: el(1), basisDateCode: el(2), discountPercent: (el(3) | decimal),
   discountDueDate: (el(4) | x12date), discountDays: (el(5) | integer),
   netDueDate: (el(6) | x12date), netDays: (el(7) | integer),
   discountAmount: money(el(8) | implied(2); $cur), dayOfMonth: (el(13) | integer),
   description: el(12)} | compact;
def sac($cur):
  {indicator: (el(1) | _lookup($tables; "allowanceIndicators")), code: el(2), agencyQualifier: el(3),
   agencyCode: el(4), amount: money(el(5) | implied(2); $cur), percentQualifier: el(6),
   percent: (el(7) | decimal), rate: (el(8) | decimal), quantity: qty(el(10); el(9)),
   handlingCode: el(12), reference: el(13), description: el(15)} | compact;
def schedule:
  {quantity: qty(el(1); el(2)),
   dates: [(select(el(6) != null) | {qualifier: el(5), type: (el(5) | _lookup($tables; "dateTypes")),
                                     date: (el(6) | x12date), time: (el(7) | x12time)} | compact),
           (select(el(9) != null) | {qualifier: el(8), type: (el(8) | _lookup($tables; "dateTypes")),
                                     date: (el(9) | x12date), time: (el(10) | x12time)} | compact)]}
  | compact;
def ctt: {lineCount: (el(1) | integer), hashQuantity: (el(2) | decimal)} | compact;

# party: input is an N1 loop instance {"N1": [...], "N2": [...], ...}.
def party:
  seg("N1") as $n1
  | ($n1 | el(1)) as $code | ($n1 | el(3)) as $idq | ($n1 | el(4)) as $id
  | {role: (($code | _lookup($tables; "partyRoles")) // "other"),
     roleCode: $code,
     name: ($n1 | el(2)),
     ids: (if $id then [_x12id($tables; "partyQualifiers"; $idq; $id)] else null end),
     additionalNames: (if seg("N2") then [segs("N2") | (el(1) // empty), (el(2) // empty)] else null end),
     address: ({lines: [segs("N3") | (el(1) // empty), (el(2) // empty)]}
               + (seg("N4") | if . == null then {} else
                   {city: el(1), region: el(2), postalCode: el(3), country: el(4),
                    locationQualifier: el(5), locationId: el(6)} end)
               | compact),
     contacts: (if seg("PER") then [segs("PER") | contact] else null end),
     references: (if seg("REF") then [segs("REF") | ref] else null end)}
  | compact;

# x12source: the Source block from a parsed X12 document (input: the
# {"interchange", "group", "set"} document).
def x12source:
  {format: "x12", version: .group.version, functionalId: .group.functionalId,
   setId: .set.set, setControlNumber: .set.control, groupControlNumber: .group.controlNumber,
   interchangeControlNumber: .interchange.controlNumber,
   sender: ({qualifier: .interchange.senderQualifier, id: .interchange.senderId} | compact | if .id then . else null end),
   receiver: ({qualifier: .interchange.receiverQualifier, id: .interchange.receiverId} | compact | if .id then . else null end),
   usage: .interchange.usage}
  | compact;

# currency($set): CUR02 of the buyer's CUR (CUR01 = BY), else of the first
# CUR, else the adapter default.
def currency($s):
  first(($s | segs("CUR") | select(el(1) == "BY") | el(2)), ($s | segs("CUR") | el(2)))
  // ($tables.defaults // {}).currency;
