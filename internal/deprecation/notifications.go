package deprecation

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Notification is one in-app notification of the console.
type Notification struct {
	ID        int64 `gorm:"primaryKey"`
	Kind      string
	Title     string
	Body      string
	Link      string
	CreatedAt time.Time
}

// TableName binds Notification to the notifications table.
func (Notification) TableName() string { return "notifications" }

// Notifications returns the newest notifications first; limit defaults to
// 50 and is capped at 500.
func Notifications(ctx context.Context, db *gorm.DB, limit int) ([]Notification, error) {
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	out := []Notification{}
	if err := db.WithContext(ctx).Order("created_at DESC, id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("deprecation: list notifications: %w", err)
	}
	return out, nil
}
