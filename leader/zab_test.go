package leader_test

import (
	"testing"

	"github.com/zkctl/zkctl/internal/scenario"
	"github.com/zkctl/zkctl/leader/zabtest"
)

// TestScenarios runs testdata/*.txt through zabtest; after a deliberate
// change, regenerate with -rewrite and review the diff.
func TestScenarios(t *testing.T) {
	scenario.Run(t, "testdata", func() scenario.Handler { return zabtest.NewScenario().Handle })
}
