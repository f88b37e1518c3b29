package election_test

import (
	"testing"

	"github.com/zkctl/zkctl/election/electiontest"
	"github.com/zkctl/zkctl/internal/scenario"
)

// TestElection_Scenarios runs testdata/*.txt through electiontest; after a
// deliberate change, regenerate with -rewrite and review the diff.
func TestElection_Scenarios(t *testing.T) {
	scenario.Run(t, "testdata", func() scenario.Handler { return electiontest.NewNetwork().Handle })
}
