package partner

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"
)

// Input is what the partner form says. Code is set on Create and must not
// change afterwards (it is the audit entity id and appears in URLs).
type Input struct {
	Code         string
	Name         string
	ISAQualifier string
	ISAID        string
	GSAppCode    string
	GLN          string
	DUNS         string
	Notes        string
}

// ContactInput is what the contact form says.
type ContactInput struct {
	Name, Email, Phone string
	Role               ContactRole
}

// ISAQualifier is one accepted X12 interchange id qualifier (ISA05/ISA07).
type ISAQualifier struct{ Code, Label string }

// ISAQualifiers lists the interchange id qualifiers accepted for a
// partner, for the form's select.
func ISAQualifiers() []ISAQualifier {
	return []ISAQualifier{
		{"01", "D-U-N-S number"},
		{"02", "SCAC (Standard Carrier Alpha Code)"},
		{"03", "FMC (Federal Maritime Commission)"},
		{"04", "IATA"},
		{"07", "GLN (Global Location Number)"},
		{"08", "UCC EDI Communications ID"},
		{"09", "X.121 (CCITT)"},
		{"12", "Phone number"},
		{"14", "D-U-N-S plus suffix"},
		{"16", "D-U-N-S with 4-character suffix"},
		{"20", "Health Industry Number (HIN)"},
		{"30", "U.S. Federal Tax ID"},
		{"NR", "NRMA assigned"},
		{"ZZ", "Mutually defined"},
	}
}

func knownISAQualifier(q string) bool {
	for _, x := range ISAQualifiers() {
		if x.Code == q {
			return true
		}
	}
	return false
}

// Limits.
const (
	MaxNameLen    = 200
	MaxNotesLen   = 20000
	MaxLabelLen   = 100
	MaxContactLen = 200
)

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ValidGLN reports whether s is a 13-digit GLN with a correct GS1 mod-10
// check digit (weights 3, 1, 3, ... from the digit next to the check digit).
func ValidGLN(s string) bool {
	return len(s) == 13 && allDigits(s) && gs1CheckDigit(s[:12]) == s[12]-'0'
}

// gs1CheckDigit computes the GS1 mod-10 check digit of the digits in body.
func gs1CheckDigit(body string) byte {
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte((10 - sum%10) % 10)
}

// ValidDUNS reports whether s is a 9-digit D-U-N-S number (not all zeros).
func ValidDUNS(s string) bool { return len(s) == 9 && allDigits(s) && s != "000000000" }

// validCode matches the partners.code check: ^[A-Z0-9][A-Z0-9_-]{1,31}$.
func validCode(s string) bool {
	if len(s) < 2 || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case (c == '_' || c == '-') && i > 0:
		default:
			return false
		}
	}
	return true
}

// x12Safe reports whether s holds only printable ASCII and none of the
// characters commonly used as X12 delimiters, so it can sit in an envelope.
func x12Safe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || strings.IndexByte("*~^:|>", c) >= 0 {
			return false
		}
	}
	return true
}

// stripSeparators removes the spaces, dashes and dots people type inside
// numbers ("12-345-6789").
func stripSeparators(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '.' {
			return -1
		}
		return r
	}, s)
}

// Check normalizes in the way it is stored and validates it, returning a
// message per bad form field (keys as the form names them: code, name,
// isa_qualifier, isa_id, gs_app_code, gln, duns, notes). Catalog files use
// it so that a file and the form accept exactly the same partners.
func Check(in Input) (Input, map[string]string) {
	in = in.normalize()
	return in, in.validate()
}

// normalize trims and canonicalises the input the way it is stored.
func (in Input) normalize() Input {
	in.Code = strings.ToUpper(strings.TrimSpace(in.Code))
	in.Name = strings.TrimSpace(in.Name)
	in.ISAQualifier = strings.ToUpper(strings.TrimSpace(in.ISAQualifier))
	in.ISAID = strings.TrimSpace(in.ISAID)
	in.GSAppCode = strings.TrimSpace(in.GSAppCode)
	in.GLN = stripSeparators(strings.TrimSpace(in.GLN))
	in.DUNS = stripSeparators(strings.TrimSpace(in.DUNS))
	in.Notes = strings.TrimSpace(in.Notes)
	return in
}

// validate checks normalized input and returns a message per bad field.
func (in Input) validate() map[string]string {
	f := map[string]string{}
	if !validCode(in.Code) {
		f["code"] = "Use 2 to 32 capital letters, digits, dashes or underscores, starting with a letter or digit, for example ACME-RETAIL."
	}
	switch {
	case in.Name == "":
		f["name"] = "Give the partner a name."
	case utf8.RuneCountInString(in.Name) > MaxNameLen:
		f["name"] = fmt.Sprintf("Keep the name under %d characters.", MaxNameLen)
	}
	switch {
	case in.ISAQualifier == "" && in.ISAID != "":
		f["isa_qualifier"] = "Choose the ISA qualifier that goes with the ISA id."
	case in.ISAQualifier != "" && !knownISAQualifier(in.ISAQualifier):
		f["isa_qualifier"] = "Choose a known ISA qualifier, such as 01 (D-U-N-S), 08 (UCC Communications ID), 12 (phone) or ZZ (mutually defined)."
	}
	switch {
	case in.ISAID == "" && in.ISAQualifier != "":
		f["isa_id"] = "Enter the ISA id that goes with the qualifier, or clear the qualifier."
	case len(in.ISAID) > 15:
		f["isa_id"] = "The ISA id is at most 15 characters (spaces that pad it to 15 are not needed)."
	case !x12Safe(in.ISAID):
		f["isa_id"] = "The ISA id may hold letters, digits, spaces and punctuation, but not * ~ ^ : | > or non-ASCII characters."
	case in.ISAQualifier == "01" && !ValidDUNS(in.ISAID):
		f["isa_id"] = "With qualifier 01 the ISA id is the 9-digit D-U-N-S number."
	case in.ISAQualifier == "07" && !ValidGLN(in.ISAID):
		f["isa_id"] = "With qualifier 07 the ISA id is a 13-digit GLN with a correct check digit."
	case in.ISAQualifier == "12" && (!allDigits(in.ISAID) || len(in.ISAID) < 7):
		f["isa_id"] = "With qualifier 12 the ISA id is a phone number of 7 to 15 digits, without spaces or dashes."
	}
	switch {
	case in.GSAppCode == "":
	case len(in.GSAppCode) < 2 || len(in.GSAppCode) > 15:
		f["gs_app_code"] = "The GS application code is 2 to 15 characters."
	case !x12Safe(in.GSAppCode):
		f["gs_app_code"] = "The GS application code may hold letters, digits, spaces and punctuation, but not * ~ ^ : | > or non-ASCII characters."
	}
	switch {
	case in.GLN == "":
	case len(in.GLN) != 13 || !allDigits(in.GLN):
		f["gln"] = "A GLN is 13 digits."
	case !ValidGLN(in.GLN):
		f["gln"] = "This GLN's check digit is wrong; check the number with the partner."
	}
	if in.DUNS != "" && !ValidDUNS(in.DUNS) {
		f["duns"] = "A D-U-N-S number is 9 digits."
	}
	if utf8.RuneCountInString(in.Notes) > MaxNotesLen {
		f["notes"] = fmt.Sprintf("Keep the notes under %d characters.", MaxNotesLen)
	}
	return f
}

func (in ContactInput) normalize() ContactInput {
	in.Name, in.Email, in.Phone = strings.TrimSpace(in.Name), strings.TrimSpace(in.Email), strings.TrimSpace(in.Phone)
	in.Role = ContactRole(strings.ToLower(strings.TrimSpace(string(in.Role))))
	return in
}

func (in ContactInput) validate() map[string]string {
	f := map[string]string{}
	switch {
	case in.Name == "":
		f["name"] = "Give the contact's name."
	case utf8.RuneCountInString(in.Name) > MaxContactLen:
		f["name"] = fmt.Sprintf("Keep the name under %d characters.", MaxContactLen)
	}
	if in.Email != "" {
		if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > MaxContactLen {
			f["email"] = "Enter an email address such as edi@partner.example."
		}
	}
	if len(in.Phone) > 40 {
		f["phone"] = "Keep the phone number under 40 characters."
	}
	if in.Email == "" && in.Phone == "" {
		f["email"] = "Give an email address or a phone number, so the contact can be reached."
	}
	ok := false
	for _, r := range ContactRoles() {
		ok = ok || r == in.Role
	}
	if !ok {
		f["role"] = "Choose business, technical or escalation."
	}
	return f
}
