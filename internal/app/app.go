// Package app composes Crossdock: it reads the configuration, opens the
// stores, builds the services and runs the web server, the worker, or a
// one-off command. It is the only package that imports everything.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"
	"gorm.io/gorm"

	"github.com/crossdock/crossdock/internal/adapter"
	"github.com/crossdock/crossdock/internal/audit"
	"github.com/crossdock/crossdock/internal/auth"
	"github.com/crossdock/crossdock/internal/catalog"
	"github.com/crossdock/crossdock/internal/catalogcode"
	"github.com/crossdock/crossdock/internal/config"
	"github.com/crossdock/crossdock/internal/deprecation"
	"github.com/crossdock/crossdock/internal/jobs"
	"github.com/crossdock/crossdock/internal/mapping"
	"github.com/crossdock/crossdock/internal/partner"
	"github.com/crossdock/crossdock/internal/policy"
	"github.com/crossdock/crossdock/internal/scorecard"
	"github.com/crossdock/crossdock/internal/serviceaccount"
	"github.com/crossdock/crossdock/internal/store"
	"github.com/crossdock/crossdock/static"
	"github.com/crossdock/crossdock/web"
)

const usage = `crossdock: partner onboarding and integration governance console

Usage:
  crossdock serve                 run the web console
  crossdock worker                run the asynq worker and scheduler
  crossdock all                   run both in one process (development)
  crossdock migrate up|down|status
  crossdock seed --demo           load demo users (and demo data)
  crossdock audit verify          check the audit log's hash chain
  crossdock apply -f FILE [--dry-run]
                                  make the catalog match a YAML or JSON catalog file
  crossdock export [-o FILE] [--format yaml|json]
                                  write the catalog as a catalog file

Configuration comes from CROSSDOCK_* environment variables (see README).
`

// Main runs the command in args and returns the process exit code.
func Main(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	log := newLogger(cfg, stderr)
	if err := run(ctx, cfg, log, args, stdout); err != nil {
		var ce *config.Error
		var ue usageError
		var ee exitError
		switch {
		case errors.As(err, &ee):
			if ee.msg != "" {
				fmt.Fprintln(stderr, ee.msg)
			}
			return ee.code
		case errors.As(err, &ce):
			fmt.Fprintln(stderr, err)
			return 2
		case errors.As(err, &ue):
			fmt.Fprintf(stderr, "%s\n\n%s", ue, usage)
			return 2
		}
		log.Error("command failed", "command", args[0], slog.Any("error", err))
		return 1
	}
	return 0
}

type usageError string

func (u usageError) Error() string { return string(u) }

func run(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout io.Writer) error {
	switch args[0] {
	case "serve", "worker", "all":
		if args[0] != "worker" {
			if err := cfg.RequireLogin(); err != nil {
				return err
			}
		}
		return runServices(ctx, cfg, log, args[0] != "worker", args[0] != "serve")
	case "migrate":
		if len(args) < 2 {
			return usageError("migrate needs up, down or status")
		}
		return migrate(ctx, cfg, log, args[1], stdout)
	case "seed":
		fs := flag.NewFlagSet("seed", flag.ContinueOnError)
		demo := fs.Bool("demo", false, "load demo data")
		if err := fs.Parse(args[1:]); err != nil {
			return usageError(err.Error())
		}
		if !*demo {
			return usageError("seed needs --demo")
		}
		return withDB(ctx, cfg, log, func(db *gorm.DB) error { return seedDemo(ctx, db, stdout) })
	case "audit":
		if len(args) < 2 || args[1] != "verify" {
			return usageError("audit needs verify")
		}
		return withDB(ctx, cfg, log, func(db *gorm.DB) error {
			res, err := audit.Verify(ctx, db)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, res)
			if !res.OK() {
				return errors.New("audit chain broken")
			}
			return nil
		})
	case "apply":
		return runApply(ctx, cfg, log, args[1:], stdout)
	case "export":
		return runExport(ctx, cfg, log, args[1:], stdout)
	}
	return usageError(fmt.Sprintf("unknown command %q", args[0]))
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func withDB(ctx context.Context, cfg config.Config, log *slog.Logger, fn func(*gorm.DB) error) error {
	db, err := store.Open(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return err
	}
	defer store.Close(db)
	return fn(db)
}

func migrate(ctx context.Context, cfg config.Config, log *slog.Logger, verb string, stdout io.Writer) error {
	if verb == "up" {
		if err := store.EnsureDatabase(ctx, cfg.DatabaseURL); err != nil {
			return err
		}
	}
	return withDB(ctx, cfg, log, func(db *gorm.DB) error {
		m, err := store.NewMigrator(db)
		if err != nil {
			return err
		}
		switch verb {
		case "up":
			applied, err := m.Up(ctx)
			if err != nil {
				return err
			}
			if len(applied) == 0 {
				fmt.Fprintln(stdout, "schema is current; nothing to apply")
			}
			for _, a := range applied {
				fmt.Fprintln(stdout, "applied", a)
			}
			return registerCanonical(ctx, db, stdout)
		case "down":
			p, err := m.Down(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, "rolled back", p)
		case "status":
			st, err := m.Status(ctx)
			if err != nil {
				return err
			}
			for _, s := range st {
				state := "pending"
				if s.Applied {
					state = "applied " + s.AppliedAt.UTC().Format(time.RFC3339)
				}
				fmt.Fprintf(stdout, "%-40s %s\n", s.Path, state)
			}
		default:
			return usageError("migrate needs up, down or status")
		}
		return nil
	})
}

// runServices runs the web server, the worker, or both until ctx ends.
func runServices(ctx context.Context, cfg config.Config, log *slog.Logger, serveWeb, runWorker bool) error {
	db, err := store.Open(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return err
	}
	defer store.Close(db)
	redisOpt, err := jobs.ParseRedisURL(cfg.RedisURL)
	if err != nil {
		return err
	}
	authSvc := auth.NewService(db, cfg.SessionIdleTimeout, cfg.SessionMaxAge)

	g, gctx := errgroup.WithContext(ctx)
	if runWorker {
		w := jobs.NewWorker(redisOpt, cfg.WorkerConcurrency, log)
		w.Handle(auth.TypePurgeSessions, auth.PurgeProcessor{Sessions: authSvc, Log: log})
		if err := w.Every("@every 15m", auth.NewPurgeSessionsTask()); err != nil {
			return err
		}
		client := asynq.NewClient(redisOpt)
		defer client.Close()
		w.Handle(deprecation.TypeScanNotices, deprecation.ScanProcessor{DB: db, Offsets: cfg.NoticeOffsets, Webhooks: cfg.NoticeWebhooks, Enqueuer: client, Log: log})
		w.Handle(deprecation.TypeDeliverNotice, deprecation.DeliverProcessor{DB: db, HTTP: &http.Client{Timeout: 10 * time.Second}, Log: log, BaseURL: cfg.BaseURL})
		if err := w.Every("@every 15m", deprecation.NewScanNoticesTask()); err != nil {
			return err
		}
		compiler, err := mapping.NewCompiler()
		if err != nil {
			return err
		}
		adapters := adapter.NewService(db, catalog.NewService(db), compiler, log, adapter.WithEnqueuer(client))
		w.Handle(adapter.TypeRunConformance, adapter.ConformanceProcessor{Adapters: adapters, Log: log})
		g.Go(func() error { return w.Run(gctx) })
	}
	if serveWeb {
		srv, closeWeb, err := NewWeb(ctx, cfg, log, db, authSvc)
		if err != nil {
			return err
		}
		defer closeWeb()
		ln, err := net.Listen("tcp", cfg.HTTPAddr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", cfg.HTTPAddr, err)
		}
		log.Info("console listening", "addr", cfg.HTTPAddr, "url", cfg.BaseURL, "dev_login", cfg.DevLogin)
		g.Go(func() error { return srv.App.Listener(ln) })
		g.Go(func() error {
			<-gctx.Done()
			return srv.App.ShutdownWithTimeout(20 * time.Second)
		})
	}
	return g.Wait()
}

// NewWeb builds the web server and returns a func closing what it opened.
func NewWeb(ctx context.Context, cfg config.Config, log *slog.Logger, db *gorm.DB, authSvc *auth.Service) (*web.Server, func(), error) {
	redisOpt, err := jobs.ParseRedisURL(cfg.RedisURL)
	if err != nil {
		return nil, nil, err
	}
	assets, err := static.Load()
	if err != nil {
		return nil, nil, fmt.Errorf("load static assets: %w", err)
	}
	migrator, err := store.NewMigrator(db)
	if err != nil {
		return nil, nil, err
	}
	rdb, ok := redisOpt.MakeRedisClient().(redis.UniversalClient)
	if !ok {
		return nil, nil, errors.New("redis client of unexpected type")
	}
	inspector := asynq.NewInspectorFromRedisClient(rdb)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	d := web.Deps{Config: cfg, Log: log, DB: db, Redis: rdb, Inspector: inspector, Migrator: migrator, Auth: authSvc, Assets: assets, Metrics: reg,
		Catalog: catalog.NewService(db), Policy: policy.NewService(db), Scorecard: scorecard.NewService(db)}
	d.CatalogCode, d.ServiceAccounts = catalogcode.NewService(db, d.Catalog), serviceaccount.NewService(db)
	compiler, err := mapping.NewCompiler()
	if err != nil {
		return nil, nil, err
	}
	// The client shares rdb (closed below); it must not be closed itself.
	d.Adapters = adapter.NewService(db, d.Catalog, compiler, log, adapter.WithEnqueuer(asynq.NewClientFromRedisClient(rdb)))
	d.Partners = partner.NewService(db, d.Adapters) // adapter and conformance facts of the checklist and the go-live gate
	if cfg.OIDC.Enabled() {
		d.OIDC = auth.NewOIDC(cfg.OIDC, db, nil)
		if err := d.OIDC.Discover(ctx); err != nil {
			// Not fatal: discovery is retried at the first sign-in.
			log.Warn("OIDC provider not reachable yet", slog.Any("error", err))
		}
	}
	return web.New(d), func() { rdb.Close() }, nil
}
