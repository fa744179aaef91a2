// Package web is demarc's dashboard: `demarc serve` renders, from the
// findings store, an overview per account (framework and responsibility
// layer scores, failing results by severity, coverage, trend), the
// shared-responsibility matrix, the findings with filters and a page per
// finding, the resource inventory, and the privilege-escalation and
// internet-exposure graphs.
//
// Pages are html/template, server-rendered; the graphs are drawn as SVG in
// the browser by a small embedded script from JSON the server computes
// (filtered, focused and capped server-side, so a graph of thousands of
// nodes never reaches the browser whole). Every asset is embedded; nothing
// loads from elsewhere, and the Content-Security-Policy forbids it.
//
// The server is read-only: it answers GET and HEAD, and POST only for the
// login form. It binds loopback by default; when it requires a token
// (always, on any other address), every request must carry it as a bearer
// header or as the cookie the login form sets.
//
// A committed scan never changes, so what the server derives from one —
// counts, and for scans small enough an in-memory index of its findings
// for filtering — is cached per scan. The snapshot itself is not stored:
// what the graphs, the matrix and the inventory need is recorded per scan
// as artifacts by RecordAnalyses when the scan is saved. See
// docs/dashboard.md.
package web
