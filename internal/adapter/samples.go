package adapter

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/formats"
	"github.com/crossdock/crossdock/internal/store"
)

// MaxSampleBytes bounds a sample's content (the parsers' default limit).
const MaxSampleBytes = formats.DefaultMaxBytes

// expectation is a checked, normalised expectation.
type expectation struct {
	expect Expect
	output json.RawMessage
	errors StringList
}

// checkExpectation validates an expectation into fields. expectedOutput
// may be one document (an object) or an array of documents; an empty or
// "null" output means none.
func checkExpectation(expect Expect, expectedOutput json.RawMessage, expectedErrors []string, fields map[string]string) expectation {
	e := expectation{expect: expect}
	out := bytes.TrimSpace(expectedOutput)
	if bytes.Equal(out, []byte("null")) {
		out = nil
	}
	var errs StringList
	for _, s := range expectedErrors {
		if s = strings.TrimSpace(s); s != "" {
			errs = append(errs, s)
		}
	}
	switch expect {
	case ExpectAccepted:
		if len(errs) > 0 {
			fields["expected_errors"] = "An accepted sample has no expected errors."
		}
		if len(out) > 0 {
			v, err := canonicalJSON(json.RawMessage(out))
			if err != nil {
				fields["expected_output"] = "The expected output is not valid JSON: " + err.Error()
			}
			switch x := v.(type) {
			case map[string]any:
				out = append(append([]byte("["), out...), ']')
			case []any:
				for _, d := range x {
					if _, ok := d.(map[string]any); !ok {
						fields["expected_output"] = "The expected output must be canonical documents: JSON objects."
						break
					}
				}
			default:
				if err == nil {
					fields["expected_output"] = "The expected output must be a canonical document or an array of them."
				}
			}
			e.output = out
		}
	case ExpectRejected:
		if len(out) > 0 {
			fields["expected_output"] = "A rejected sample has no expected output; list expected errors instead."
		}
		e.errors = errs
		if e.errors == nil {
			e.errors = StringList{}
		}
	default:
		fields["expect"] = "Choose whether the sample must be accepted or rejected."
	}
	return e
}

// AddSample adds a sample document to an adapter with its expected
// outcome: ExpectAccepted with the canonical documents it must map to
// (expectedOutput: a JSON array of documents or one document; nil accepts
// any valid output, and RecordExpected fills it from a run), or
// ExpectRejected with substrings each of which must appear in the errors
// (case-insensitive). Invalid input is a *ValidationError.
func (s *Service) AddSample(ctx context.Context, adapterID int64, name string, content []byte, expect Expect, expectedOutput json.RawMessage, expectedErrors []string) (Sample, error) {
	name = strings.TrimSpace(name)
	fields := map[string]string{}
	switch {
	case name == "":
		fields["name"] = "Give the sample a name, e.g. the file name."
	case len([]rune(name)) > 200:
		fields["name"] = "Use at most 200 characters."
	}
	switch {
	case len(bytes.TrimSpace(content)) == 0:
		fields["content"] = "The sample is empty."
	case len(content) > MaxSampleBytes:
		fields["content"] = fmt.Sprintf("The sample has %d bytes; the limit is %d.", len(content), MaxSampleBytes)
	}
	e := checkExpectation(expect, expectedOutput, expectedErrors, fields)
	if len(fields) > 0 {
		return Sample{}, fmt.Errorf("adapter: add sample to %d: %w", adapterID, &ValidationError{Fields: fields})
	}
	var sm Sample
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		a, err := lockAdapter(tx, adapterID)
		if err != nil {
			return err
		}
		now := s.clock()
		sm = Sample{AdapterID: a.ID, Name: name, Content: content, Expect: e.expect, ExpectedOutput: e.output,
			ExpectedErrors: e.errors, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&sm).Error; err != nil {
			if duplicate(err) {
				return &ValidationError{Fields: map[string]string{"name": fmt.Sprintf("The adapter has a sample named %q already.", name)}}
			}
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: ActionSampleAdd, EntityType: EntityType, EntityID: idString(a.ID),
			After: sampleAudit(sm)})
	})
	if err != nil {
		return Sample{}, fmt.Errorf("adapter: add sample to %d: %w", adapterID, err)
	}
	return sm, nil
}

// sampleAudit describes a sample for the audit log: its content by size
// and hash, its expectation in full.
func sampleAudit(sm Sample) map[string]any {
	m := map[string]any{"sample_id": sm.ID, "name": sm.Name, "bytes": len(sm.Content), "sha256": sha(sm.Content), "expect": sm.Expect}
	if sm.ExpectedOutput != nil {
		m["expected_output_sha256"] = sha(sm.ExpectedOutput)
	}
	if sm.ExpectedErrors != nil {
		m["expected_errors"] = []string(sm.ExpectedErrors)
	}
	return m
}

// RemoveSample removes one of the adapter's samples; a sample of another
// adapter is ErrNotFound. Past conformance results keep its name.
func (s *Service) RemoveSample(ctx context.Context, adapterID, sampleID int64) error {
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		a, err := lockAdapter(tx, adapterID)
		if err != nil {
			return err
		}
		var sm Sample
		if err := tx.Where("id = ? AND adapter_id = ?", sampleID, a.ID).Take(&sm).Error; err != nil {
			return fmt.Errorf("sample %d: %w", sampleID, notFound(err))
		}
		if err := tx.Delete(&Sample{}, sm.ID).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: ActionSampleRemove, EntityType: EntityType, EntityID: idString(a.ID),
			Before: sampleAudit(sm)})
	})
	if err != nil {
		return fmt.Errorf("adapter: remove sample %d of %d: %w", sampleID, adapterID, err)
	}
	return nil
}

// Samples lists an adapter's samples by name, with their content.
func (s *Service) Samples(ctx context.Context, adapterID int64) ([]Sample, error) {
	var out []Sample
	if err := s.db.WithContext(ctx).Where("adapter_id = ?", adapterID).Order("name, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("adapter: samples of %d: %w", adapterID, err)
	}
	return out, nil
}

// Sample loads one sample by id.
func (s *Service) Sample(ctx context.Context, sampleID int64) (Sample, error) {
	var sm Sample
	if err := s.db.WithContext(ctx).Take(&sm, sampleID).Error; err != nil {
		return Sample{}, fmt.Errorf("adapter: sample %d: %w", sampleID, notFound(err))
	}
	return sm, nil
}

// SetExpectation replaces a sample's expected outcome (see AddSample for
// the forms). Setting the expectation it has already writes nothing.
func (s *Service) SetExpectation(ctx context.Context, sampleID int64, expect Expect, expectedOutput json.RawMessage, expectedErrors []string) (Sample, error) {
	fields := map[string]string{}
	e := checkExpectation(expect, expectedOutput, expectedErrors, fields)
	if len(fields) > 0 {
		return Sample{}, fmt.Errorf("adapter: set expectation of sample %d: %w", sampleID, &ValidationError{Fields: fields})
	}
	sm, err := s.setExpectation(ctx, sampleID, e, ActionSampleExpect, nil)
	if err != nil {
		return Sample{}, fmt.Errorf("adapter: set expectation of sample %d: %w", sampleID, err)
	}
	return sm, nil
}

func (s *Service) setExpectation(ctx context.Context, sampleID int64, e expectation, action string, extra map[string]any) (Sample, error) {
	var sm Sample
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		var probe Sample
		if err := tx.Select("id, adapter_id").Take(&probe, sampleID).Error; err != nil {
			return fmt.Errorf("sample %d: %w", sampleID, notFound(err))
		}
		a, err := lockAdapter(tx, probe.AdapterID)
		if err != nil {
			return err
		}
		if err := tx.Take(&sm, sampleID).Error; err != nil {
			return fmt.Errorf("sample %d: %w", sampleID, notFound(err))
		}
		sameOutput := (sm.ExpectedOutput == nil) == (e.output == nil) && (e.output == nil || jsonEqual(sm.ExpectedOutput, e.output))
		if sm.Expect == e.expect && sameOutput && (sm.ExpectedErrors == nil) == (e.errors == nil) && slices.Equal(sm.ExpectedErrors, e.errors) {
			return nil
		}
		before := sampleAudit(sm)
		now := s.clock()
		var out, errs any // typed nils would not be NULL
		if e.output != nil {
			out = string(e.output)
		}
		if e.errors != nil {
			errs = e.errors
		}
		if err := tx.Table("adapter_samples").Where("id = ?", sm.ID).Updates(map[string]any{"expect": e.expect,
			"expected_output": out, "expected_errors": errs, "updated_at": now}).Error; err != nil {
			return err
		}
		sm.Expect, sm.ExpectedOutput, sm.ExpectedErrors, sm.UpdatedAt = e.expect, e.output, e.errors, now
		after := sampleAudit(sm)
		for k, v := range extra {
			after[k] = v
		}
		return audit.Record(ctx, tx, audit.Change{Action: action, EntityType: EntityType, EntityID: idString(a.ID), Before: before, After: after})
	})
	return sm, err
}

// RecordExpected runs the adapter's newest revision (the draft being
// edited, else the active one; as the playground does) on the sample and
// stores what happened as its expectation: accepted with the produced
// documents when there were no errors, else rejected with the error
// messages. This is how expectations are usually made, after checking
// the output in the playground.
func (s *Service) RecordExpected(ctx context.Context, sampleID int64) (Sample, error) {
	sm, err := s.Sample(ctx, sampleID)
	if err != nil {
		return Sample{}, fmt.Errorf("adapter: record expected output of sample %d: %w", sampleID, err)
	}
	res, err := s.Run(ctx, sm.AdapterID, 0, sm.Content)
	if err != nil {
		return Sample{}, fmt.Errorf("adapter: record expected output of sample %d: %w", sampleID, err)
	}
	var e expectation
	if len(res.Errors) == 0 && len(res.Documents) > 0 {
		b, err := json.Marshal(res.Documents)
		if err != nil {
			return Sample{}, fmt.Errorf("adapter: record expected output of sample %d: %w", sampleID, err)
		}
		e = expectation{expect: ExpectAccepted, output: b}
	} else {
		if len(res.Errors) == 0 {
			return Sample{}, fmt.Errorf("adapter: record expected output of sample %d: %w", sampleID, &ValidationError{Fields: map[string]string{
				"expected_output": "The sample gave no documents and no errors (are its documents of another type than the adapter maps?); nothing to record."}})
		}
		e = expectation{expect: ExpectRejected, errors: StringList{}}
		for _, er := range res.Errors {
			e.errors = append(e.errors, er.Error())
		}
	}
	sm, err = s.setExpectation(ctx, sampleID, e, ActionSampleExpect, map[string]any{"recorded_from_revision": res.Revision.Number})
	if err != nil {
		return Sample{}, fmt.Errorf("adapter: record expected output of sample %d: %w", sampleID, err)
	}
	return sm, nil
}
