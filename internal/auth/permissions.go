package auth

import (
	"slices"
	"strings"
)

// Role is one of the four Crossdock roles.
type Role string

// The roles, most privileged first.
const (
	RoleAdmin              Role = "admin"
	RoleIntegrationManager Role = "integration_manager"
	RoleBusinessUser       Role = "business_user"
	RoleAuditor            Role = "auditor"
)

// Roles lists every role, most privileged first; that order breaks ties when
// a person's claims map to several roles.
func Roles() []Role {
	return []Role{RoleAdmin, RoleIntegrationManager, RoleBusinessUser, RoleAuditor}
}

// Label is the role's name for people.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "Admin"
	case RoleIntegrationManager:
		return "Integration manager"
	case RoleBusinessUser:
		return "Business user"
	case RoleAuditor:
		return "Auditor"
	}
	return string(r)
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles(), r) }

// Permission is a "resource:action" string. Every route in web/routes.go
// names one; this file is the only place they are declared and granted.
type Permission string

// Permissions.
const (
	PermHomeView    Permission = "home:view"
	PermProfileRead Permission = "profile:read"
	PermAuditRead   Permission = "audit:read"
	PermAuditExport Permission = "audit:export"
	PermUsersRead   Permission = "users:read"
	PermUsersManage Permission = "users:manage"

	PermCatalogRead           Permission = "catalog:read"
	PermCatalogWrite          Permission = "catalog:write"
	PermCatalogExport         Permission = "catalog:export"
	PermVersionPublish        Permission = "versions:publish"
	PermVersionDeprecate      Permission = "versions:deprecate"
	PermVersionRetire         Permission = "versions:retire"
	PermPoliciesWrite         Permission = "policies:write"
	PermScheduleRead          Permission = "schedule:read"
	PermNotificationsRead     Permission = "notifications:read"
	PermServiceAccountsRead   Permission = "service-accounts:read"
	PermServiceAccountsManage Permission = "service-accounts:manage"

	PermPartnersRead    Permission = "partners:read"
	PermPartnersManage  Permission = "partners:manage"
	PermPartnersApprove Permission = "partners:approve"
)

// Mutating reports whether the permission allows changing something: any
// action other than view, read and export. The auditor role must hold none
// (checked by a test).
func (p Permission) Mutating() bool {
	_, action, _ := strings.Cut(string(p), ":")
	switch action {
	case "view", "read", "export":
		return false
	}
	return true
}

// grants maps each role to its permissions.
func grants(r Role) []Permission {
	switch r {
	case RoleAdmin:
		return []Permission{PermHomeView, PermProfileRead, PermAuditRead, PermAuditExport, PermUsersRead, PermUsersManage,
			PermCatalogRead, PermCatalogWrite, PermCatalogExport, PermVersionPublish, PermVersionDeprecate, PermVersionRetire,
			PermPoliciesWrite, PermScheduleRead, PermNotificationsRead, PermServiceAccountsRead, PermServiceAccountsManage,
			PermPartnersRead, PermPartnersManage, PermPartnersApprove}
	case RoleIntegrationManager:
		return []Permission{PermHomeView, PermProfileRead, PermAuditRead,
			PermCatalogRead, PermCatalogWrite, PermCatalogExport, PermVersionPublish, PermVersionDeprecate, PermVersionRetire,
			PermPoliciesWrite, PermScheduleRead, PermNotificationsRead,
			PermPartnersRead, PermPartnersManage, PermPartnersApprove}
	case RoleBusinessUser:
		return []Permission{PermHomeView, PermProfileRead, PermCatalogRead, PermScheduleRead, PermNotificationsRead, PermPartnersRead}
	case RoleAuditor:
		return []Permission{PermHomeView, PermProfileRead, PermAuditRead, PermAuditExport, PermUsersRead,
			PermCatalogRead, PermCatalogExport, PermScheduleRead, PermNotificationsRead, PermServiceAccountsRead, PermPartnersRead}
	}
	return nil
}

// AllPermissions lists every declared permission.
func AllPermissions() []Permission {
	return grants(RoleAdmin) // the admin holds every permission
}

// Can reports whether role r holds permission p.
func (r Role) Can(p Permission) bool { return slices.Contains(grants(r), p) }

// Permissions lists what r may do.
func (r Role) Permissions() []Permission { return grants(r) }
