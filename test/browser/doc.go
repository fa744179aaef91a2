// Package browser holds the dashboard's browser tests: `demarc serve`'s
// handler over a store filled from the example snapshot, driven in a real
// headless Chromium through chromedp. They load each page, click a filter,
// open a finding and the privilege graph, assert on the DOM, check that a
// resource named with markup shows as text and runs nothing, and save a
// screenshot of every page (to $DEMARC_ARTIFACTS_DIR when set).
//
// Without Chromium they skip, unless DEMARC_REQUIRE_CHROMIUM=1 (CI), when
// they fail. Run them alone with
//
//	go test ./test/browser/...
package browser
