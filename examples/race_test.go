//go:build race

package examples

// raceEnabled: the tools are built with the race detector too, which reuses
// the packages the test run compiled already.
const raceEnabled = true
