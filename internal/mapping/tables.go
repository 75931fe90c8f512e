package mapping

// x12Tables returns fresh copies of the lookup tables the shipped X12
// templates use. Adapters start from these and add partner-specific codes.
//
//   - policy.checkDigits: "flag" keeps a GS1 key with a wrong check digit,
//     normalised, with checkDigitValid: false (the sample corpus and many
//     partners' test data have such keys); "strict" makes it a mapping
//     error. Set strict per partner once its data is certified.
//   - defaults.currency: the currency when the document has no CUR.
func x12Tables() map[string]map[string]string {
	return map[string]map[string]string{
		"policy":   {"checkDigits": "flag"},
		"defaults": {"currency": "USD"},
		// X12 element 235 (product/service ID qualifier) -> scheme.
		"itemQualifiers": {
			// UP GTIN-12 (U.P.C.), EN GTIN-13 (EAN), UK GTIN-14, UA U.P.C./EAN case code.
			// UI (U.P.C. consumer package code 1-5-5, 11 digits, no check digit) is
			// deliberately not a gtin.
			"UP": "gtin", "EN": "gtin", "UK": "gtin", "UA": "gtin",
			"BP": "buyerPart", "IN": "buyerItem", "CB": "buyerCatalog", "VP": "vendorPart", "VN": "vendorItem",
			"VA": "vendorStyle", "SK": "sku", "MG": "manufacturerPart", "VC": "vendorCatalog",
			"PI": "purchaserItem", "IB": "isbn", "SN": "serialNumber",
		},
		// X12 N103 (identification code qualifier) -> scheme.
		"partyQualifiers": {
			"1": "duns", "9": "duns4", "UL": "gln", "15": "san", "91": "assignedBySeller",
			"92": "assignedByBuyer", "ZZ": "mutuallyDefined", "10": "dodaac", "24": "ein",
		},
		// X12 N101 (entity identifier code) -> role.
		"partyRoles": {
			"BY": "buyer", "SU": "supplier", "SE": "seller", "VN": "vendor", "ST": "shipTo", "SF": "shipFrom",
			"BT": "billTo", "RE": "remitTo", "WH": "warehouse", "OB": "orderedBy", "SH": "shipper",
			"SO": "soldTo", "DE": "depositor", "MP": "manufacturingPlant", "CN": "consignee",
			"PR": "payer", "Z7": "markFor", "BS": "billAndShipTo", "CA": "carrier",
		},
		// X12 element 128 (reference identification qualifier) -> type.
		"referenceTypes": {
			"DP": "department", "IA": "internalVendorNumber", "VR": "vendorId", "PD": "promotion",
			"BM": "billOfLading", "CN": "proNumber", "IV": "invoiceNumber", "PO": "purchaseOrderNumber",
			"LT": "lotNumber", "LV": "licensePlate", "MR": "merchandiseType", "PS": "purchaseOrderSuffix",
			"SE": "serialNumber", "MH": "manufacturingOrder", "LS": "barCodedSerialNumber",
			"VN": "vendorOrderNumber", "FJ": "lineItemControlNumber", "CO": "customerOrderNumber",
			"ZZ": "mutuallyDefined",
		},
		// X12 element 374 (date/time qualifier) -> type.
		"dateTypes": {
			"002": "deliveryRequested", "003": "invoice", "004": "purchaseOrder", "007": "effective",
			"010": "requestedShip", "011": "shipped", "017": "estimatedDelivery", "018": "available",
			"036": "expiration", "037": "shipNotBefore", "038": "shipNoLater", "063": "doNotDeliverAfter",
			"064": "doNotDeliverBefore", "067": "currentScheduleDelivery", "068": "currentScheduleShip",
			"069": "promisedDelivery", "079": "promisedShip", "080": "scheduledShip", "097": "transactionCreation",
			"405": "production",
		},
		// G6201 (date qualifier) -> type.
		"g62DateTypes": {
			"02": "deliveryRequested", "10": "requestedShip", "11": "shipped", "17": "estimatedDelivery",
			"04": "purchaseOrder", "07": "effective", "35": "delivered", "53": "deliveryRequestedOnOrAfter",
			"54": "deliveryRequestedOnOrBefore", "68": "requestedPickup",
		},
		// BAK02 (acknowledgment type) -> status.
		"ackTypes": {
			"AC": "acceptedWithChanges", "AD": "acceptedNoChange", "AE": "acceptedWithExceptions",
			"AK": "acknowledgedNoDetail", "AT": "accepted", "RD": "rejectedWithDetail", "RJ": "rejected",
		},
		// ACK01 (line item status) -> words.
		"lineStatus": {
			"IA": "accepted", "IB": "backordered", "IC": "acceptedWithChanges", "ID": "deleted",
			"IP": "acceptedPriceChanged", "IQ": "acceptedQuantityChanged", "IR": "rejected",
			"IS": "acceptedSubstitution", "BP": "partialShipmentBackordered", "DR": "acceptedDateRescheduled",
		},
		// SAC01 -> indicator.
		"allowanceIndicators": {"A": "allowance", "C": "charge", "N": "none"},
		// BIG07 (transaction type code) -> invoice kind.
		"invoiceKinds": {
			"CR": "credit-memo", "DI": "debit-invoice", "DR": "debit-memo",
		},
		// QTY01 (quantity qualifier) -> type.
		"quantityTypes": {
			"33": "availableForSale", "17": "onHand", "01": "discreteQuantity", "02": "cumulative",
			"38": "originalQuantity", "63": "onOrder",
		},
		// MAN01 (marks and numbers qualifier) -> scheme.
		"markQualifiers": {
			"GM": "sscc", "CP": "carrierPackageId", "UC": "upcShippingContainer", "ZZ": "mutuallyDefined",
		},
	}
}
