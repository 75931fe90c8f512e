# Partner JSON order -> canonical Order 1.0.0. Expected shape (one object,
# or an array of them):
#   {"orderNumber", "orderDate" (YYYY-MM-DD), "currency",
#    "buyer": {"gln", "name"}, "shipTo": {"gln", "name", "street", "city",
#    "postalCode", "country"},
#    "lines": [{"line", "gtin", "sku", "quantity", "unit", "price",
#               "description"}]}
# Numbers may be JSON numbers or strings; every digit is kept (decimal).

def addr: {lines: [.street | values], city, postalCode, country} | compact;
def partyOf($role): if . == null then empty else
  within($role; {role: $role, name, ids: [.gln | values | gs1id("gln"; .; null)], address: addr} | compact) end;

(.currency // ($tables.defaults // {}).currency) as $cur
| {
    documentType: "Order",
    kind: "purchase-order",
    number: (.orderNumber | if . == null then null else tostring end),
    orderDate: within("orderDate"; .orderDate | isodate),
    currency: $cur,
    parties: [(.buyer | partyOf("buyer")), (.shipTo | partyOf("shipTo"))],
    lines: [(.lines // []) as $ls | range(0; $ls | length) as $i | $ls[$i]
            | within("lines[\($i)]";
                {lineNumber: ((.line // ($i + 1)) | tostring),
                 quantity: qty(.quantity; .unit),
                 unitPrice: money(.price; $cur),
                 itemIds: [(.gtin | values | gs1id("gtin"; .; null)),
                           (.sku | values | {scheme: "sku", value: tostring})],
                 description}
                | compact)],
    source: {format: "json", documentKey: (.orderNumber | if . == null then null else tostring end)}
  }
| compact
