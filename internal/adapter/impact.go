package adapter

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/mapping"
)

// Impact tells, before a change is made, which partners' adapters would
// fail their conformance samples under it. For a template change
// (TemplateID + Program) every adapter cloned from the template runs the
// proposed program with its own tables and parse options; for a schema
// change (APIVersionID + NewSchema) every adapter targeting the version
// validates against the proposed schema. Each adapter is judged on its
// active revision, else its newest, against its samples' expectations, in
// memory: nothing is written. Rows come most failing first, then by
// partner and adapter name; adapters without samples are listed with Total
// 0. A proposed program or schema that does not compile is a
// *ValidationError.
func (s *Service) Impact(ctx context.Context, change ImpactChange) ([]ImpactRow, error) {
	fields := map[string]string{}
	byTemplate := strings.TrimSpace(change.TemplateID) != ""
	bySchema := change.APIVersionID != 0
	var tplProgram string
	switch {
	case !byTemplate && !bySchema:
		fields["change"] = "Say which template or API version changes."
	case byTemplate && strings.TrimSpace(change.Program) == "":
		fields["program"] = "The proposed program is empty."
	case byTemplate:
		if _, err := s.compiler.Compile(change.Program); err != nil {
			fields["program"] = "The proposed program does not compile: " + err.Error()
		}
		if tpl, err := mapping.TemplateByID(change.TemplateID); err == nil {
			tplProgram = tpl.Program
		}
	}
	var proposed *jsonschema.Schema
	if bySchema {
		if strings.TrimSpace(change.NewSchema) == "" {
			fields["schema"] = "The proposed schema is empty."
		} else if sc, err := catalog.CompileSchema(change.NewSchema); err != nil {
			fields["schema"] = "The proposed schema does not compile: " + err.Error()
		} else {
			proposed = sc
		}
	}
	if len(fields) > 0 {
		return nil, fmt.Errorf("adapter: impact: %w", &ValidationError{Fields: fields})
	}

	db := s.db.WithContext(ctx)
	q := db.Model(&Adapter{})
	switch {
	case byTemplate && bySchema:
		q = q.Where("template_id = ? OR target_api_version_id = ?", change.TemplateID, change.APIVersionID)
	case byTemplate:
		q = q.Where("template_id = ?", change.TemplateID)
	default:
		q = q.Where("target_api_version_id = ?", change.APIVersionID)
	}
	var adapters []Adapter
	if err := q.Order("id").Find(&adapters).Error; err != nil {
		return nil, fmt.Errorf("adapter: impact: %w", err)
	}
	rows := make([]ImpactRow, 0, len(adapters))
	partners := map[int64]PartnerRef{}
	for _, a := range adapters {
		p, ok := partners[a.PartnerID]
		if !ok {
			var err error
			if p, err = partnerRef(db, a.PartnerID); err != nil {
				return nil, fmt.Errorf("adapter: impact: %w", err)
			}
			partners[a.PartnerID] = p
		}
		row, err := s.impactOf(ctx, a, change, byTemplate && a.TemplateID == change.TemplateID, proposed, tplProgram)
		if err != nil {
			return nil, fmt.Errorf("adapter: impact on adapter %d: %w", a.ID, err)
		}
		row.Partner = p
		rows = append(rows, row)
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.SamplesFailing != b.SamplesFailing {
			return a.SamplesFailing > b.SamplesFailing
		}
		if pa, pb := strings.ToLower(a.Partner.Name), strings.ToLower(b.Partner.Name); pa != pb {
			return pa < pb
		}
		return strings.ToLower(a.Adapter.Name) < strings.ToLower(b.Adapter.Name)
	})
	return rows, nil
}

// impactOf judges one adapter's samples under the change.
func (s *Service) impactOf(ctx context.Context, a Adapter, change ImpactChange, useProgram bool, proposed *jsonschema.Schema, tplProgram string) (ImpactRow, error) {
	db := s.db.WithContext(ctx)
	r, err := currentRevision(db, a)
	if err != nil {
		return ImpactRow{}, err
	}
	row := ImpactRow{Adapter: a, Revision: r.Number}
	program := ""
	if useProgram {
		program = change.Program
		row.Customized = tplProgram != "" && r.Program != tplProgram
	}
	schema := proposed
	if schema == nil || a.TargetAPIVersionID != change.APIVersionID {
		if schema, err = s.targetSchema(ctx, a.TargetAPIVersionID); err != nil {
			return ImpactRow{}, err
		}
	}
	m, err := s.mapperFor(a, r, schema, program)
	if err != nil {
		// Only the adapter's own program can fail here (the proposed one
		// compiled): every sample fails, as it does today.
		row.Examples = []string{fmt.Sprintf("revision %d: %v", r.Number, err)}
	}
	var samples []Sample
	if err := db.Where("adapter_id = ?", a.ID).Order("name, id").Find(&samples).Error; err != nil {
		return ImpactRow{}, err
	}
	row.Total = len(samples)
	for _, sm := range samples {
		if m == nil {
			row.SamplesFailing++
			continue
		}
		outcome, detail, _ := s.judge(ctx, m, sm)
		if err := ctx.Err(); err != nil {
			return ImpactRow{}, err
		}
		if outcome == OutcomeFailed {
			row.SamplesFailing++
			if len(row.Examples) < MaxImpactExamples {
				row.Examples = append(row.Examples, sm.Name+": "+strings.Join(detail.Problems, " "))
			}
		}
	}
	return row, nil
}
