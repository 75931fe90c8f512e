// Package jobs runs Crossdock's background work on asynq: one server with a
// ServeMux wrapped in logging and recover middleware, and a scheduler for
// periodic tasks. Task types, payloads and processors live with their
// domain packages; this package only runs them.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/hibiken/asynq"
)

// Queue names, by priority.
const (
	QueueCritical = "critical"
	QueueDefault  = "default"
	QueueLow      = "low"
)

// ParseRedisURL turns a redis:// URL into asynq connection options.
func ParseRedisURL(u string) (asynq.RedisConnOpt, error) {
	opt, err := asynq.ParseRedisURI(u)
	if err != nil {
		return nil, fmt.Errorf("jobs: redis URL: %w", err)
	}
	return opt, nil
}

// Worker is an asynq server and scheduler sharing one Redis.
type Worker struct {
	log   *slog.Logger
	srv   *asynq.Server
	sched *asynq.Scheduler
	mux   *asynq.ServeMux
}

// NewWorker prepares a worker with the given concurrency.
func NewWorker(redis asynq.RedisConnOpt, concurrency int, log *slog.Logger) *Worker {
	srv := asynq.NewServer(redis, asynq.Config{
		Concurrency:     concurrency,
		Queues:          map[string]int{QueueCritical: 6, QueueDefault: 3, QueueLow: 1},
		ShutdownTimeout: 20 * time.Second,
		Logger:          slogAdapter{log.With("component", "asynq")},
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			id, _ := asynq.GetTaskID(ctx)
			retried, _ := asynq.GetRetryCount(ctx)
			log.Error("task failed", "task_type", t.Type(), "task_id", id, "retry", retried, slog.Any("error", err))
		}),
	})
	sched := asynq.NewScheduler(redis, &asynq.SchedulerOpts{Logger: slogAdapter{log.With("component", "asynq-scheduler")}, Location: time.UTC})
	mux := asynq.NewServeMux()
	mux.Use(recoverMiddleware(log), logMiddleware(log))
	return &Worker{log: log, srv: srv, sched: sched, mux: mux}
}

// Handle registers the processor of a task type.
func (w *Worker) Handle(taskType string, h asynq.Handler) { w.mux.Handle(taskType, h) }

// Every schedules task on a cron spec (or "@every 15m"). The scheduler
// enqueues each tick once per Redis, whatever the number of workers, as
// long as the task carries a Unique option.
func (w *Worker) Every(spec string, task *asynq.Task, opts ...asynq.Option) error {
	if _, err := w.sched.Register(spec, task, opts...); err != nil {
		return fmt.Errorf("jobs: schedule %s: %w", task.Type(), err)
	}
	return nil
}

// Run starts the server and the scheduler and blocks until ctx ends, then
// shuts both down, letting running tasks finish.
func (w *Worker) Run(ctx context.Context) error {
	if err := w.srv.Start(w.mux); err != nil {
		return fmt.Errorf("jobs: start server: %w", err)
	}
	if err := w.sched.Start(); err != nil {
		w.srv.Shutdown()
		return fmt.Errorf("jobs: start scheduler: %w", err)
	}
	w.log.Info("worker started")
	<-ctx.Done()
	w.log.Info("worker stopping")
	w.sched.Shutdown()
	w.srv.Shutdown()
	w.log.Info("worker stopped")
	return nil
}

func logMiddleware(log *slog.Logger) asynq.MiddlewareFunc {
	return func(next asynq.Handler) asynq.Handler {
		return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
			start := time.Now()
			id, _ := asynq.GetTaskID(ctx)
			err := next.ProcessTask(ctx, t)
			attrs := []any{"task_type", t.Type(), "task_id", id, "duration_ms", time.Since(start).Milliseconds()}
			if err != nil {
				log.Warn("task error", append(attrs, slog.Any("error", err))...)
			} else {
				log.Info("task done", attrs...)
			}
			return err
		})
	}
}

func recoverMiddleware(log *slog.Logger) asynq.MiddlewareFunc {
	return func(next asynq.Handler) asynq.Handler {
		return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) (err error) {
			defer func() {
				if r := recover(); r != nil {
					id, _ := asynq.GetTaskID(ctx)
					log.Error("task panicked", "task_type", t.Type(), "task_id", id, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
					err = fmt.Errorf("jobs: task %s panicked: %v", t.Type(), r)
				}
			}()
			return next.ProcessTask(ctx, t)
		})
	}
}

// slogAdapter lets asynq log through slog.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...)) }
func (a slogAdapter) Info(args ...any)  { a.l.Info(fmt.Sprint(args...)) }
func (a slogAdapter) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...)) }
func (a slogAdapter) Error(args ...any) { a.l.Error(fmt.Sprint(args...)) }
func (a slogAdapter) Fatal(args ...any) { a.l.Error(fmt.Sprint(args...)) }
