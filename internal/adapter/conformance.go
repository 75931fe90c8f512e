package adapter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/jobs"
	"github.com/crossdock/crossdock/internal/mapping"
	"github.com/crossdock/crossdock/internal/store"
)

// TypeRunConformance runs every sample of an adapter against one revision
// (one conformance_runs row).
const TypeRunConformance = "conformance:run"

// ConformanceMaxRetry is how often a run that failed for an infrastructure
// reason (database, cancelled worker) is retried; after the last retry the
// run ends in error.
const ConformanceMaxRetry = 3

// SampleTimeout bounds the mapping of one sample in a conformance run; a
// sample that takes longer fails.
const SampleTimeout = 30 * time.Second

// SystemActor is the audit actor of conformance tasks; the person who
// requested the run is named in the event.
func SystemActor() audit.Actor {
	return audit.Actor{ID: "system:conformance", Name: "Conformance runner"}
}

// runPayload is the payload of TypeRunConformance.
type runPayload struct {
	RunID int64 `json:"run_id"`
}

// RunTaskID is the asynq task id of a run: queueing a run twice while its
// task exists is refused by asynq.
func RunTaskID(runID int64) string { return "conformance-run-" + idString(runID) }

// NewRunConformanceTask returns the task executing one conformance run.
func NewRunConformanceTask(runID int64) *asynq.Task {
	b, _ := json.Marshal(runPayload{RunID: runID}) // cannot fail
	return asynq.NewTask(TypeRunConformance, b, asynq.TaskID(RunTaskID(runID)), asynq.MaxRetry(ConformanceMaxRetry),
		asynq.Queue(jobs.QueueDefault), asynq.Timeout(30*time.Minute), asynq.Retention(24*time.Hour))
}

// StartConformance queues a conformance run of the adapter's active
// revision or, when none is active yet, of its newest revision (so a first
// draft can be tested before it is activated; only runs on the active
// revision count for the partner's checklist). Use
// StartConformanceRevision to test a given revision, e.g. a new draft
// while another revision is active. When a run of that revision is still
// queued, it is returned instead of a new one. An adapter without samples
// is ErrNoSamples; a service without a queue ErrNoQueue.
func (s *Service) StartConformance(ctx context.Context, adapterID int64) (ConformanceRun, error) {
	a, err := s.Adapter(ctx, adapterID)
	if err != nil {
		return ConformanceRun{}, fmt.Errorf("adapter: start conformance of %d: %w", adapterID, err)
	}
	r, err := currentRevision(s.db.WithContext(ctx), a)
	if err != nil {
		return ConformanceRun{}, fmt.Errorf("adapter: start conformance of %d: %w", adapterID, err)
	}
	return s.startRun(ctx, a.ID, r.ID)
}

// StartConformanceRevision queues a conformance run of one revision (see
// StartConformance).
func (s *Service) StartConformanceRevision(ctx context.Context, revisionID int64) (ConformanceRun, error) {
	r, err := s.Revision(ctx, revisionID)
	if err != nil {
		return ConformanceRun{}, fmt.Errorf("adapter: start conformance of revision %d: %w", revisionID, err)
	}
	return s.startRun(ctx, r.AdapterID, r.ID)
}

func (s *Service) startRun(ctx context.Context, adapterID, revisionID int64) (ConformanceRun, error) {
	if s.queue == nil {
		return ConformanceRun{}, fmt.Errorf("adapter: start conformance of %d: %w", adapterID, ErrNoQueue)
	}
	var run ConformanceRun
	err := store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		a, err := lockAdapter(tx, adapterID)
		if err != nil {
			return err
		}
		var r Revision
		if err := tx.Select("id, number").Where("id = ? AND adapter_id = ?", revisionID, a.ID).Take(&r).Error; err != nil {
			return fmt.Errorf("revision %d: %w", revisionID, notFound(err))
		}
		err = tx.Where("revision_id = ? AND status = ?", r.ID, RunQueued).Order("id DESC").Take(&run).Error
		if err == nil {
			return nil // a queued run reads the samples when it starts: it is as good as a new one
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		var n int64
		if err := tx.Model(&Sample{}).Where("adapter_id = ?", a.ID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return ErrNoSamples
		}
		actor := audit.ActorFrom(ctx)
		run = ConformanceRun{AdapterID: a.ID, RevisionID: r.ID, Status: RunQueued, Total: int(n),
			RequestedBy: actor.ID, RequestedByName: actor.Name, CreatedAt: s.clock()}
		if err := tx.Create(&run).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: ActionConformanceRequest, EntityType: EntityType, EntityID: idString(a.ID),
			After: map[string]any{"run_id": run.ID, "revision": r.Number, "samples": n}})
	})
	if err != nil {
		return ConformanceRun{}, fmt.Errorf("adapter: start conformance of %d: %w", adapterID, err)
	}
	_, err = s.queue.EnqueueContext(ctx, NewRunConformanceTask(run.ID))
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) && !errors.Is(err, asynq.ErrDuplicateTask) {
		s.log.Warn("cannot queue conformance run", "run_id", run.ID, "adapter_id", adapterID, slog.Any("error", err))
		if ferr := s.finishRun(context.WithoutCancel(ctx), run.ID, RunError, "The run could not be queued; start it again.", nil); ferr != nil {
			s.log.Error("cannot end unqueued conformance run", "run_id", run.ID, slog.Any("error", ferr))
		}
		return ConformanceRun{}, fmt.Errorf("adapter: start conformance of %d: queue run %d: %w", adapterID, run.ID, err)
	}
	return run, nil
}

// ConformanceProcessor runs TypeRunConformance: it executes every sample of
// the run's adapter against the run's revision, counting progress as it
// goes (Done, Passed, Failed), writes one result per sample and ends the
// run passed or failed (error when the program or the target schema does
// not compile), audited as "conformance.run". A run that already ended is
// left alone; a run interrupted half-way starts over on retry.
type ConformanceProcessor struct {
	Adapters *Service
	Log      *slog.Logger
}

// ProcessTask implements asynq.Handler.
func (p ConformanceProcessor) ProcessTask(ctx context.Context, t *asynq.Task) error {
	taskID, _ := asynq.GetTaskID(ctx)
	log := p.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("task_type", TypeRunConformance, "task_id", taskID)
	var pl runPayload
	if err := json.Unmarshal(t.Payload(), &pl); err != nil || pl.RunID <= 0 {
		return fmt.Errorf("adapter: conformance task payload %q: %w", t.Payload(), asynq.SkipRetry)
	}
	log = log.With("run_id", pl.RunID)
	ctx = audit.WithActor(ctx, SystemActor())
	err := p.Adapters.executeRun(ctx, pl.RunID, log)
	if err == nil || errors.Is(err, asynq.SkipRetry) {
		return err
	}
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, ok := asynq.GetMaxRetry(ctx)
	if ok && retried >= maxRetry {
		if ferr := p.Adapters.finishRun(context.WithoutCancel(ctx), pl.RunID, RunError, "The run failed repeatedly; start it again.", nil); ferr != nil {
			log.Error("cannot end failed conformance run", slog.Any("error", ferr))
		}
	}
	return err
}

// claimRun marks a queued (or interrupted) run running, clears results of
// an earlier attempt and counts the samples. ok is false when the run has
// ended already.
func (s *Service) claimRun(ctx context.Context, runID int64) (run ConformanceRun, ok bool, err error) {
	err = store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Clauses(forUpdate()).Take(&run, runID).Error; err != nil {
			return fmt.Errorf("run %d: %w", runID, notFound(err))
		}
		if run.Status.Finished() {
			return nil
		}
		if err := tx.Where("run_id = ?", run.ID).Delete(&ConformanceResult{}).Error; err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&Sample{}).Where("adapter_id = ?", run.AdapterID).Count(&n).Error; err != nil {
			return err
		}
		now := s.clock()
		run.Status, run.Total, run.Done, run.Passed, run.Failed, run.StartedAt = RunRunning, int(n), 0, 0, 0, &now
		ok = true
		return tx.Table("conformance_runs").Where("id = ?", run.ID).Updates(map[string]any{"status": run.Status, "total": run.Total,
			"done": 0, "passed": 0, "failed": 0, "started_at": now, "message": ""}).Error
	})
	return run, ok, err
}

// executeRun is the body of the conformance task.
func (s *Service) executeRun(ctx context.Context, runID int64, log *slog.Logger) error {
	run, ok, err := s.claimRun(ctx, runID)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("adapter: conformance run %d: %w (%w)", runID, err, asynq.SkipRetry)
	}
	if err != nil {
		return fmt.Errorf("adapter: conformance run %d: %w", runID, err)
	}
	if !ok {
		log.Info("conformance run already ended", "status", run.Status)
		return nil
	}
	db := s.db.WithContext(ctx)
	var a Adapter
	var r Revision
	if err := db.Take(&a, run.AdapterID).Error; err != nil {
		return fmt.Errorf("adapter: conformance run %d: adapter %d: %w", runID, run.AdapterID, notFound(err))
	}
	if err := db.Take(&r, run.RevisionID).Error; err != nil {
		return fmt.Errorf("adapter: conformance run %d: revision %d: %w", runID, run.RevisionID, notFound(err))
	}
	schema, err := s.targetSchema(ctx, a.TargetAPIVersionID)
	if err != nil {
		return s.endInError(ctx, run, "The target API version's schema cannot be used: "+err.Error())
	}
	m, err := s.mapperFor(a, r, schema, "")
	if err != nil {
		return s.endInError(ctx, run, fmt.Sprintf("Revision %d: %v", r.Number, err))
	}
	if run.Total == 0 {
		return s.endInError(ctx, run, "The adapter has no samples.")
	}
	var ids []int64
	if err := db.Model(&Sample{}).Where("adapter_id = ?", a.ID).Order("name, id").Pluck("id", &ids).Error; err != nil {
		return fmt.Errorf("adapter: conformance run %d: list samples: %w", runID, err)
	}
	for _, id := range ids {
		var sm Sample
		switch err := db.Take(&sm, id).Error; {
		case errors.Is(err, gorm.ErrRecordNotFound):
			if err := db.Exec(`UPDATE conformance_runs SET total = total - 1 WHERE id = ? AND total > done`, run.ID).Error; err != nil {
				return fmt.Errorf("adapter: conformance run %d: %w", runID, err)
			}
			continue // removed while the run was going
		case err != nil:
			return fmt.Errorf("adapter: conformance run %d: sample %d: %w", runID, id, err)
		}
		outcome, detail, dur := s.judge(ctx, m, sm)
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("adapter: conformance run %d: %w", runID, err)
		}
		if err := s.recordResult(ctx, run.ID, sm, outcome, detail, dur); err != nil {
			return fmt.Errorf("adapter: conformance run %d: sample %d: %w", runID, id, err)
		}
	}
	var final ConformanceRun
	if err := db.Take(&final, run.ID).Error; err != nil {
		return fmt.Errorf("adapter: conformance run %d: %w", runID, err)
	}
	status := RunPassed
	if final.Failed > 0 {
		status = RunFailed
	}
	if final.Done == 0 {
		return s.endInError(ctx, run, "Every sample was removed while the run was going.")
	}
	if err := s.finishRun(ctx, run.ID, status, "", &r); err != nil {
		return fmt.Errorf("adapter: conformance run %d: %w", runID, err)
	}
	log.Info("conformance run done", "adapter_id", a.ID, "revision", r.Number, "status", status, "passed", final.Passed, "failed", final.Failed)
	return nil
}

// judge maps one sample with a time limit and evaluates the result.
func (s *Service) judge(ctx context.Context, m *mapping.Mapper, sm Sample) (Outcome, ResultDetail, time.Duration) {
	sctx, cancel := context.WithTimeout(ctx, SampleTimeout)
	defer cancel()
	start := time.Now()
	res := m.Run(sctx, sm.Content)
	dur := time.Since(start)
	outcome, detail := evaluate(sm, res)
	if sctx.Err() != nil && ctx.Err() == nil {
		outcome = OutcomeFailed
		detail.Problems = append(detail.Problems, fmt.Sprintf("Mapping the sample took longer than %s.", SampleTimeout))
	}
	return outcome, detail, dur
}

func (s *Service) endInError(ctx context.Context, run ConformanceRun, msg string) error {
	if err := s.finishRun(ctx, run.ID, RunError, msg, nil); err != nil {
		return fmt.Errorf("adapter: conformance run %d: %w", run.ID, err)
	}
	return nil
}

// recordResult writes one sample's result and counts it, in one
// transaction.
func (s *Service) recordResult(ctx context.Context, runID int64, sm Sample, outcome Outcome, detail ResultDetail, dur time.Duration) error {
	return store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		id := sm.ID
		res := ConformanceResult{RunID: runID, SampleID: &id, SampleName: sm.Name, Outcome: outcome, Detail: detail,
			DurationMS: int(dur.Milliseconds()), CreatedAt: s.clock()}
		if err := tx.Create(&res).Error; err != nil {
			return err
		}
		col := "passed"
		if outcome == OutcomeFailed {
			col = "failed"
		}
		return tx.Exec(`UPDATE conformance_runs SET done = done + 1, `+col+` = `+col+` + 1 WHERE id = ?`, runID).Error
	})
}

// finishRun ends a run that has not ended yet with status, audited as
// conformance.run. r, when known, names the revision in the event.
func (s *Service) finishRun(ctx context.Context, runID int64, status RunStatus, msg string, r *Revision) error {
	return store.WithTx(ctx, s.db, func(tx *gorm.DB) error {
		var run ConformanceRun
		if err := tx.Clauses(forUpdate()).Take(&run, runID).Error; err != nil {
			return fmt.Errorf("run %d: %w", runID, notFound(err))
		}
		if run.Status.Finished() {
			return nil
		}
		now := s.clock()
		if err := tx.Table("conformance_runs").Where("id = ?", run.ID).
			Updates(map[string]any{"status": status, "message": msg, "finished_at": now}).Error; err != nil {
			return err
		}
		after := map[string]any{"run_id": run.ID, "revision_id": run.RevisionID, "status": status, "total": run.Total,
			"passed": run.Passed, "failed": run.Failed, "requested_by": run.RequestedBy}
		if r != nil {
			after["revision"] = r.Number
		}
		if msg != "" {
			after["message"] = msg
		}
		return audit.Record(ctx, tx, audit.Change{Action: ActionConformanceRun, EntityType: EntityType, EntityID: idString(run.AdapterID),
			Before: map[string]any{"status": run.Status}, After: after})
	})
}

// MaxRuns bounds the runs Runs returns.
const MaxRuns = 100

// Runs lists an adapter's conformance runs, newest first (at most
// MaxRuns).
func (s *Service) Runs(ctx context.Context, adapterID int64) ([]ConformanceRun, error) {
	var out []ConformanceRun
	if err := s.db.WithContext(ctx).Where("adapter_id = ?", adapterID).Order("id DESC").Limit(MaxRuns).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("adapter: conformance runs of %d: %w", adapterID, err)
	}
	return out, nil
}

// ConformanceRun loads one run, for polling its progress.
func (s *Service) ConformanceRun(ctx context.Context, runID int64) (ConformanceRun, error) {
	var run ConformanceRun
	if err := s.db.WithContext(ctx).Take(&run, runID).Error; err != nil {
		return ConformanceRun{}, fmt.Errorf("adapter: conformance run %d: %w", runID, notFound(err))
	}
	return run, nil
}

// RunReport returns a run with its adapter, revision and every sample's
// result (failed first, then by sample name), each with the problems in
// words and the JSON paths where the output differs from the expectation.
func (s *Service) RunReport(ctx context.Context, runID int64) (Report, error) {
	db := s.db.WithContext(ctx)
	var rep Report
	if err := db.Take(&rep.Run, runID).Error; err != nil {
		return Report{}, fmt.Errorf("adapter: report of run %d: %w", runID, notFound(err))
	}
	if err := db.Take(&rep.Adapter, rep.Run.AdapterID).Error; err != nil {
		return Report{}, fmt.Errorf("adapter: report of run %d: adapter: %w", runID, notFound(err))
	}
	if err := db.Take(&rep.Revision, rep.Run.RevisionID).Error; err != nil {
		return Report{}, fmt.Errorf("adapter: report of run %d: revision: %w", runID, notFound(err))
	}
	if err := db.Where("run_id = ?", runID).Order("outcome = 'passed', sample_name, id").Find(&rep.Results).Error; err != nil {
		return Report{}, fmt.Errorf("adapter: report of run %d: results: %w", runID, err)
	}
	return rep, nil
}

// FailingAdapter is an adapter whose latest conformance run failed or
// ended in error, with that run.
type FailingAdapter struct {
	AdapterID   int64
	AdapterName string
	PartnerCode string
	PartnerName string
	RunID       int64
	Status      RunStatus // RunFailed or RunError
	Total       int       // samples judged by the run
	Failed      int       // samples that did not meet their expectation
	Message     string    // why a run in error could not judge
	FinishedAt  *time.Time
}

// failingAdapters: each adapter's latest run (conformance_runs_adapter_idx,
// one index probe per adapter), kept when it failed or ended in error;
// most recently finished first. count(*) OVER () is the number before the
// limit.
const failingAdapters = `
SELECT a.id AS adapter_id, a.name AS adapter_name, p.code AS partner_code, p.name AS partner_name,
       r.id AS run_id, r.status, r.total, r.failed, r.message, r.finished_at, count(*) OVER () AS matching
FROM adapters a
JOIN partners p ON p.id = a.partner_id
JOIN LATERAL (SELECT c.id, c.status, c.total, c.failed, c.message, c.finished_at FROM conformance_runs c
              WHERE c.adapter_id = a.id ORDER BY c.id DESC LIMIT 1) r ON true
WHERE r.status IN ('failed', 'error')
ORDER BY r.finished_at DESC NULLS LAST, r.id DESC
LIMIT ?`

// FailingAdapters lists the adapters whose latest conformance run (of any
// revision) failed or ended in error, most recently finished first, at
// most limit of them (1 to MaxRuns; other values mean MaxRuns), and how
// many there are in all. A run still queued or running hides the failure
// before it. One query.
func (s *Service) FailingAdapters(ctx context.Context, limit int) ([]FailingAdapter, int, error) {
	if limit <= 0 || limit > MaxRuns {
		limit = MaxRuns
	}
	var rows []struct {
		FailingAdapter
		Matching int
	}
	if err := s.db.WithContext(ctx).Raw(failingAdapters, limit).Scan(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("adapter: failing adapters: %w", err)
	}
	out := make([]FailingAdapter, len(rows))
	total := 0
	for i, r := range rows {
		out[i], total = r.FailingAdapter, r.Matching
	}
	return out, total, nil
}
