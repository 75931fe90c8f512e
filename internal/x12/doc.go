// Package x12 reads, checks, acknowledges and writes ANSI X12 interchanges.
//
// Standard library only. The API in one breath: ParseAll/Parse read text
// into Interchange values (ISA, groups, transaction sets, segments with
// positions); Validate lists envelope errors; CheckSyntax lists the AK3/AK4
// problems this package can see without an implementation guide;
// Acknowledge / AcknowledgeGroup and Build997 turn both into a 997;
// AcknowledgeInterchange and BuildTA1 answer interchange-level errors (and
// ISA14 = 1) with a TA1; Tree turns a transaction set into a JSON-able tree
// for jq mappings; Serialize writes an interchange back with its own
// delimiters.
//
// # Delimiters and tolerance
//
// Delimiters come from the ISA, not from fixed byte offsets: the element
// separator is the character after "ISA"; the first fifteen elements are
// split on it; ISA16 (component separator) is the one character after the
// sixteenth separator and the segment terminator is the character after
// ISA16. A character is one ASCII byte or one UTF-8 sequence, so "…"
// (U+2026, three bytes) works as a terminator and NBSP padding (two bytes)
// counts as one character. ISA11 is the repetition separator when ISA12 is
// 00401 or later and ISA11 is one character that is not a letter, digit or
// another delimiter ("U" in 00401 files is the standards identifier).
// Repetitions are not split: they stay inside the component text.
//
// Tolerated everywhere: a UTF-8 BOM, whitespace before the ISA, between
// segments and between interchanges (CR, LF, spaces, tabs: indented
// files), CR/LF after the terminator, a last segment without terminator.
// When the terminator is not CR or LF, CR and LF are removed from inside
// segments as well, which undoes hard wrapping at a fixed column. When the
// terminator is LF, a CR before it is dropped.
//
// Problems in the ISA are *SyntaxError values wrapping a sentinel, with the
// byte offset of the problem:
//
//   - Fatal (ParseAll stops and returns the error): ErrNoISA (input or
//     data after an IEA that does not start with ISA), ErrISATruncated,
//     ErrISAMalformed (sixteen elements not found), ErrISASplit (a line
//     break inside the ISA, unless removing the line breaks leaves exactly
//     106 characters and the terminator is not a line break: that is a
//     fixed-width wrap of the whole interchange and is accepted),
//     ErrMissingISA16 (nothing between the sixteenth separator and the
//     line break, ISA16 empty, or the character read as ISA16 is followed
//     by a line break and also ends the GS line, so it is the terminator
//     and the ISA has only fifteen elements), ErrDelimiters (a delimiter
//     that is a letter, digit or whitespace, a lone UTF-8 lead byte, or
//     two equal delimiters; a lone byte 0x80-0xBF such as a Latin-1 NEL is
//     accepted).
//   - Warnings (parsing continues, Interchange.Warnings): ErrISALength when
//     the ISA is not 106 characters or an element has the wrong fixed
//     width (the detail names each one), ErrISACharset when the ISA holds
//     non-ASCII characters (its byte length differs from its length in
//     characters, which breaks byte-offset readers).
//
// What that means for the sample corpus (testdata/SOURCES.md):
//
//   - accepted as is: LF, CRLF, "!", "$", "…" terminators; "|" element
//     separator; "`", "{", "@", "^", ":" component separators; several
//     segments on one line; several interchanges per file; no terminator
//     at EOF; the 80-column wrapped 210 (its ISA is 106 characters once
//     the line breaks are removed).
//   - accepted with a warning: short ISAs (810_edinet, 850/856_stupidedi
//     003010/002001, 997_stupidedi: ErrISALength) and NBSP padding
//     (850_edinet_*: ErrISACharset, plus ErrISALength for the one whose
//     ISA08 is 11 characters).
//   - fatal: the two ISAs broken across lines (850_stupidedi_003050 with
//     "!" terminator but only 85 characters; 855_stupidedi whose terminator
//     is itself a line break) and 850_edinet_missing_isa16.
//   - 856_stupidedi_mixed-terminators parses with "$" as terminator; the
//     three segments ended by "~" run into one, and Validate reports the
//     resulting SE01 mismatch (25 declared, 22 found).
//
// # Model and positions
//
// Segment.Position counts segments in the interchange (ISA = 1);
// Segment.SetPosition counts inside the transaction set (ST = 1, the
// number SE01 and AK302 use). Segments outside an envelope are kept in
// Group.Stray / Interchange.Stray and reported by Validate; an ST without
// SE ends at the next ST, GE, GS, IEA or ISA.
//
// # Tree shape
//
// Tree returns map[string]any / []any / string / int only, ready for
// encoding/json and jq:
//
//	{
//	  "set": "850", "control": "0001",            // ST01, ST02
//	  "ST":  [{"id":"ST","pos":1,"01":"850","02":"0001"}],
//	  "BEG": [{"id":"BEG","pos":2,"01":"00","02":"SA","03":"PO123","05":"20240101"}],
//	  "REF": [{...}, {...}],                       // every segment ID maps to an array, in order
//	  "N1_loop": [                                 // loops: arrays of loop instances
//	    {"N1":[{...}], "N3":[{...}], "N4":[{...}]}
//	  ],
//	  "PO1_loop": [
//	    {"PO1":[{"id":"PO1","pos":13,"01":"1","02":"120","03":"EA","06":"CB","07":"065322-117"}],
//	     "PID":[...], "PO4":[...], "SAC":[...], "SCH":[...]}
//	  ],
//	  "CTT": [...], "SE": [...]
//	}
//
// A segment is an object with "id", "pos" (position in the set, ST = 1)
// and its non-empty elements under two-digit keys "01", "02", ...; a
// composite element is an array of its components (empty components kept
// as ""), e.g. "05":["PC","11.1","12.2"]. Inside a loop instance the same
// rules apply, and nested loops nest (a line-level N1 loop sits inside its
// PO1_loop or IT1_loop instance). A segment that is not a member of the
// open loop closes it; segments no loop claims stay at the level where
// they occur, so nothing is dropped. Summary segments (CTT, AMT, TDS, W76,
// W03, AK9) close all loops.
//
// Loops: 850 and 855 N9_loop, N1_loop, PO1_loop (holding PID, PO4, SAC,
// SCH, ACK, ... and nested N9_loop, N1_loop, SLN_loop); 810 N1_loop,
// IT1_loop; 846 N1_loop, LIN_loop (QTY, DTM ...); 940 N1_loop, LX_loop
// with W01_loop; 945 N1_loop, LX_loop with W12_loop; 997 AK2_loop with
// AK3_loop (AK4) and AK5. Other sets get no loops.
//
// 856: "HL_tree" is an array of root HL nodes. A node is
//
//	{"id":"2","parent":"1","code":"O","level":"order",
//	 "HL":[{...}], "PRF":[...], "N1_loop":[...], "children":[ ...nodes... ]}
//
// built from HL01/HL02 (a node is attached to the earlier HL whose HL01
// equals its HL02, never by segment order); level is shipment, order,
// tare, pack or item for S, O, T, P, I (other codes are kept as they are).
// A node whose HL02 names no earlier HL becomes a root with
// "parent_missing": true.
//
// # 997
//
// One 997 per received functional group, never for FA groups. AK1 = GS01,
// GS06 (AK103 = GS08 from 005010 on); one AK2 per set; AK3/AK4 from
// CheckSyntax (a small table of X12 relational conditions such as PO1
// P0607, PO4 C0506/P0607, N1 R0203/P0304, N9/REF M01 and R0203, LIN
// pairs; segment IDs that are not 2-3 letters/digits get AK304 = 1);
// AK5 codes 2 (SE missing), 3 (ST02/SE02), 4 (SE01 count), 5 (segments in
// error), 6 (ST01), 7 (ST02), 23 (duplicate ST02); AK9 codes 3 (GE
// missing), 4 (GS06/GE02), 5 (GE01 count), 6 (control number syntax).
// Interchange errors (ISA13/IEA02, IEA01, missing IEA) belong in a TA1 and
// do not change a 997. See AcknowledgeGroup for the AK501/AK901 rules.
package x12
