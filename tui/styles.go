package tui

import "github.com/charmbracelet/lipgloss"

// Styles are built once and passed down; no package-level style variables.
type Styles struct {
	Header, Title, Dim, Bold, Selected, Error, Warn, OK lipgloss.Style
	Panel, PanelFocused, Help, Flash, Prompt            lipgloss.Style
	States                                              map[string]lipgloss.Style
	LinkOK, LinkCut, LinkSlow, LinkReject               lipgloss.Style
}

// DefaultStyles returns the palette. Colours are adaptive and degrade to
// plain text when the terminal has no colour (lipgloss detects the profile).
func DefaultStyles() Styles {
	c := func(light, dark string) lipgloss.AdaptiveColor {
		return lipgloss.AdaptiveColor{Light: light, Dark: dark}
	}
	green, yellow, blue, red, magenta, grey, cyan := c("#007a00", "#5fd75f"), c("#8a6d00", "#ffd75f"), c("#0050b0", "#5fafff"), c("#b00000", "#ff5f5f"), c("#8a008a", "#d787ff"), c("#6c6c6c", "#8a8a8a"), c("#006a6a", "#5fd7d7")
	s := Styles{
		Header:       lipgloss.NewStyle().Bold(true),
		Title:        lipgloss.NewStyle().Bold(true).Foreground(cyan),
		Dim:          lipgloss.NewStyle().Foreground(grey),
		Bold:         lipgloss.NewStyle().Bold(true),
		Selected:     lipgloss.NewStyle().Reverse(true),
		Error:        lipgloss.NewStyle().Bold(true).Foreground(red),
		Warn:         lipgloss.NewStyle().Foreground(yellow),
		OK:           lipgloss.NewStyle().Foreground(green),
		Panel:        lipgloss.NewStyle().Border(lipgloss.NormalBorder()).BorderForeground(grey),
		PanelFocused: lipgloss.NewStyle().Border(lipgloss.NormalBorder()).BorderForeground(cyan),
		Help:         lipgloss.NewStyle().Foreground(grey),
		Flash:        lipgloss.NewStyle().Bold(true).Foreground(yellow),
		Prompt:       lipgloss.NewStyle().Bold(true).Foreground(cyan),
		LinkOK:       lipgloss.NewStyle().Foreground(green),
		LinkCut:      lipgloss.NewStyle().Bold(true).Foreground(red),
		LinkSlow:     lipgloss.NewStyle().Foreground(yellow),
		LinkReject:   lipgloss.NewStyle().Foreground(magenta),
	}
	s.States = map[string]lipgloss.Style{
		"LEADING":    lipgloss.NewStyle().Bold(true).Foreground(green),
		"FOLLOWING":  lipgloss.NewStyle().Foreground(blue),
		"OBSERVING":  lipgloss.NewStyle().Foreground(cyan),
		"LOOKING":    lipgloss.NewStyle().Bold(true).Foreground(yellow),
		"STANDALONE": lipgloss.NewStyle().Foreground(green),
		stateDown:    lipgloss.NewStyle().Bold(true).Foreground(red),
		statePaused:  lipgloss.NewStyle().Foreground(magenta),
		stateStale:   lipgloss.NewStyle().Foreground(grey).Italic(true),
		stateNoData:  lipgloss.NewStyle().Foreground(grey),
	}
	return s
}

// state renders a state name in its colour.
func (s Styles) state(name string) string {
	if st, ok := s.States[name]; ok {
		return st.Render(name)
	}
	return name
}
