// Package report renders findings: one file per output format. Every writer
// treats resource names, tags and messages as hostile: JSON is encoded by
// encoding/json, the terminal table escapes control characters.
package report
