package tui

import (
	"fmt"
	"io"

	tea "github.com/charmbracelet/bubbletea"
)

// Run opens the dashboard in the terminal (alternate screen) and blocks
// until the user quits. It returns whether the user asked to stop the cluster.
func Run(cfg Config, in io.Reader, out io.Writer) (QuitChoice, error) {
	m, err := New(cfg)
	if err != nil {
		return QuitLeaveRunning, err
	}
	opts := []tea.ProgramOption{tea.WithAltScreen()}
	if in != nil {
		opts = append(opts, tea.WithInput(in))
	}
	if out != nil {
		opts = append(opts, tea.WithOutput(out))
	}
	final, err := tea.NewProgram(m, opts...).Run()
	if err != nil {
		return QuitLeaveRunning, fmt.Errorf("dashboard: %w", err)
	}
	if fm, ok := final.(Model); ok {
		fm.data.Close() // the data view's session, if it was opened
		return fm.QuitChoice(), nil
	}
	return QuitLeaveRunning, nil
}
