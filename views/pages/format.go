package pages

import "strconv"

func intString(n int) string     { return strconv.Itoa(n) }
func int64String(n int64) string { return strconv.FormatInt(n, 10) }
