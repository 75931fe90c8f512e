package x12

import (
	"errors"
	"fmt"
)

// Sentinel errors wrapped by *SyntaxError; test with errors.Is.
var (
	// ErrNoISA: the input (after an optional BOM and whitespace) does not
	// start with "ISA", or non-whitespace data follows an IEA.
	ErrNoISA = errors.New("x12: ISA segment expected")
	// ErrISATruncated: the input ends before the ISA is complete.
	ErrISATruncated = errors.New("x12: ISA truncated")
	// ErrISASplit: a line break inside the ISA that is not a fixed-width
	// wrap of the whole interchange (fatal).
	ErrISASplit = errors.New("x12: ISA split across lines")
	// ErrMissingISA16: the ISA has no component separator (fatal).
	ErrMissingISA16 = errors.New("x12: ISA16 component separator missing")
	// ErrISAMalformed: fewer than sixteen ISA elements could be found
	// within the first few hundred bytes (fatal).
	ErrISAMalformed = errors.New("x12: malformed ISA")
	// ErrDelimiters: a delimiter is a letter, digit or space, or two
	// delimiters are the same character (fatal).
	ErrDelimiters = errors.New("x12: invalid delimiters")
	// ErrISALength: the ISA is not 106 characters or one of its
	// fixed-width elements has the wrong width (warning).
	ErrISALength = errors.New("x12: ISA is not 106 characters")
	// ErrISACharset: the ISA contains non-ASCII characters, so byte-based
	// fixed-width readers fail on it (warning).
	ErrISACharset = errors.New("x12: non-ASCII characters in ISA")
)

// SyntaxError reports a problem in the raw X12 text. Err is one of the
// sentinel errors above; Offset is the byte offset in the parsed input
// where the problem is (for the BOM-prefixed samples the BOM counts).
type SyntaxError struct {
	Err    error
	Offset int
	Detail string
}

func (e *SyntaxError) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("%v at byte %d", e.Err, e.Offset)
	}
	return fmt.Sprintf("%v at byte %d: %s", e.Err, e.Offset, e.Detail)
}

func (e *SyntaxError) Unwrap() error { return e.Err }
