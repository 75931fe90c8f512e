package auth

import (
	"context"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
)

// TypePurgeSessions removes expired sessions and stale login flows.
const TypePurgeSessions = "sessions:purge"

// NewPurgeSessionsTask returns the periodic purge task; Unique keeps one per
// tick however many schedulers run.
func NewPurgeSessionsTask() *asynq.Task {
	return asynq.NewTask(TypePurgeSessions, nil, asynq.Unique(10*time.Minute), asynq.MaxRetry(3), asynq.Queue("low"))
}

// PurgeProcessor runs TypePurgeSessions.
type PurgeProcessor struct {
	Sessions *Service
	Log      *slog.Logger
}

// ProcessTask implements asynq.Handler.
func (p PurgeProcessor) ProcessTask(ctx context.Context, _ *asynq.Task) error {
	n, err := p.Sessions.PurgeExpired(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		p.Log.Info("expired sessions purged", "count", n)
	}
	return nil
}
