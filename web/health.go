package web

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/crossdock/crossdock/views/pages"
)

// healthz is liveness: the process answers.
func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// check is one readiness probe result.
type check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// checks probes PostgreSQL, Redis and the schema version.
func (s *Server) checks(parent context.Context) []check {
	ctx, cancel := context.WithTimeout(parent, 2*time.Second)
	defer cancel()
	out := make([]check, 0, 3)
	pg := check{Name: "PostgreSQL", OK: true, Detail: "reachable"}
	if sqlDB, err := s.d.DB.DB(); err != nil {
		pg.OK, pg.Detail = false, "no connection pool"
	} else if err := sqlDB.PingContext(ctx); err != nil {
		pg.OK, pg.Detail = false, "unreachable"
	}
	out = append(out, pg)
	rd := check{Name: "Redis", OK: true, Detail: "reachable"}
	if err := s.d.Redis.Ping(ctx).Err(); err != nil {
		rd.OK, rd.Detail = false, "unreachable"
	}
	out = append(out, rd)
	mg := check{Name: "Schema", OK: true, Detail: "all migrations applied"}
	if !pg.OK {
		mg.OK, mg.Detail = false, "unknown (PostgreSQL unreachable)"
	} else if current, err := s.d.Migrator.Current(ctx); err != nil {
		mg.OK, mg.Detail = false, "could not read the migration version"
	} else if !current {
		mg.OK, mg.Detail = false, "migrations pending: run crossdock migrate up"
	}
	return append(out, mg)
}

// readyz is readiness: PostgreSQL and Redis reachable, migrations current.
func (s *Server) readyz(c *fiber.Ctx) error {
	cs := s.checks(ctx(c))
	status := fiber.StatusOK
	for _, ch := range cs {
		if !ch.OK {
			status = fiber.StatusServiceUnavailable
		}
	}
	return c.Status(status).JSON(fiber.Map{"ready": status == fiber.StatusOK, "checks": cs})
}

func (s *Server) healthItems(c *fiber.Ctx) []pages.HealthItem {
	cs := s.checks(ctx(c))
	out := make([]pages.HealthItem, len(cs))
	for i, ch := range cs {
		out[i] = pages.HealthItem{Name: ch.Name, OK: ch.OK, Detail: ch.Detail}
	}
	return out
}

// metrics serves Prometheus text format from the app's own registry.
func (s *Server) metrics(c *fiber.Ctx) error {
	return adaptor.HTTPHandler(promhttp.HandlerFor(s.d.Metrics, promhttp.HandlerOpts{}))(c)
}

// static serves embedded assets under fingerprinted URLs, cached forever.
func (s *Server) static(c *fiber.Ctx) error {
	body, path, ok := s.d.Assets.Open(c.Params("*"))
	if !ok {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	c.Type(extOf(path))
	return c.Send(body)
}

func extOf(path string) string {
	for i := len(path) - 1; i >= 0 && path[i] != '/'; i-- {
		if path[i] == '.' {
			return path[i+1:]
		}
	}
	return ""
}
