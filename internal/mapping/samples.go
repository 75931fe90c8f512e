package mapping

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
)

// sampleFiles are the templates' sample documents, shipped in the binary so
// a clone can give a new adapter its template's samples. They are copies of
// testdata (a test keeps them identical); templates/samples/edi/SOURCES.md
// says where each comes from, LICENSES/ beside it holds the licences.
//
//go:embed templates/samples
var sampleFiles embed.FS

// SampleOutcome is what a template's sample must give.
type SampleOutcome string

// Sample outcomes.
const (
	// SampleAccepted: the sample maps to documents that satisfy the
	// canonical schema, without errors.
	SampleAccepted SampleOutcome = "accepted"
	// SampleRejected: the sample is refused; the error says why.
	SampleRejected SampleOutcome = "rejected"
)

// TemplateSampleSpec is one sample of a template with its expected outcome.
type TemplateSampleSpec struct {
	// File names the sample for TemplateSample, e.g.
	// "edi/850_ediengine_vics_nl-terminated.x12" (the names of
	// Template.Samples).
	File string
	// Expect is the outcome the template gives it.
	Expect SampleOutcome
	// Error, for a rejected sample, is part of the error message the
	// template reports (matched case-insensitively).
	Error string
}

// Name is the sample's file name without its folder, the name an adapter
// gives it.
func (s TemplateSampleSpec) Name() string { return path.Base(s.File) }

// rejectedSamples are the malformed files of each template that the
// mapping refuses, with part of the error a user sees (see
// templates/samples/edi/SOURCES.md, "excluded"). The other _BAD files are
// accepted: their defects are in the envelope or in syntax the mapping does
// not depend on.
var rejectedSamples = map[string][]TemplateSampleSpec{
	"x12-850-004010": {
		{File: "edi/850_edinet_missing_isa16_BAD.x12", Expect: SampleRejected, Error: "ISA16 component separator missing"},
		{File: "edi/850_stupidedi_003050_isa-split-line_BAD.x12", Expect: SampleRejected, Error: "ISA split across lines"},
	},
	"x12-855-004010": {
		{File: "edi/855_stupidedi_isa-split-line_short-isa_BAD.x12", Expect: SampleRejected, Error: "ISA split across lines"},
	},
	"x12-856-004010": {
		{File: "edi/856_stupidedi_mixed-terminators_BAD.x12", Expect: SampleRejected, Error: "the HL hierarchy is broken"},
	},
	"x12-940-004010": {
		{File: "edi/940_ediengine_bad-se01-count_BAD.x12", Expect: SampleRejected, Error: `"EA" is not a GTIN`},
	},
}

// TemplateSamples lists the samples a template ships with: every file of
// its Samples, accepted, then the malformed files it rejects. An unknown
// template has none.
func TemplateSamples(templateID string) []TemplateSampleSpec {
	var out []TemplateSampleSpec
	for _, s := range templateSpecs() {
		if s.id != templateID {
			continue
		}
		for _, f := range s.samples {
			out = append(out, TemplateSampleSpec{File: f, Expect: SampleAccepted})
		}
		out = append(out, rejectedSamples[templateID]...)
	}
	return out
}

// TemplateSample returns the content of a template's sample file, named as
// in TemplateSampleSpec.File.
func TemplateSample(name string) ([]byte, error) {
	if !fs.ValidPath(name) || path.Ext(name) == ".md" || path.Ext(name) == ".txt" {
		return nil, fmt.Errorf("mapping: no template sample %q", name)
	}
	b, err := sampleFiles.ReadFile("templates/samples/" + name)
	if err != nil {
		return nil, fmt.Errorf("mapping: no template sample %q", name)
	}
	return b, nil
}
