package launcher

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestGuardControl: what a web page in the user's browser can send to the
// control API is refused; zkctl's own client's requests pass.
func TestGuardControl(t *testing.T) {
	reached := 0
	h := guardControl(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached++ }))
	for _, tc := range []struct {
		name, method, host, origin, ctype string
		want                              int
	}{
		{"zkctl client POST", "POST", "127.0.0.1:7400", "", "application/json", 200},
		{"zkctl client GET", "GET", "127.0.0.1:7400", "", "", 200},
		{"localhost", "POST", "localhost:7400", "", "application/json; charset=utf-8", 200},
		{"ipv6 loopback", "GET", "[::1]:7400", "", "", 200},
		{"page on localhost", "POST", "127.0.0.1:7400", "http://localhost:3000", "application/json", 200},
		{"simple cross-site POST (text/plain)", "POST", "127.0.0.1:7400", "https://evil.example", "text/plain", 403},
		{"cross-site POST, no Origin, text/plain", "POST", "127.0.0.1:7400", "", "text/plain", 415},
		{"form POST without a type", "POST", "127.0.0.1:7400", "", "", 415},
		{"DNS rebinding: foreign Host", "GET", "evil.example:7400", "", "", 403},
		{"DNS rebinding POST", "POST", "evil.example:7400", "http://evil.example:7400", "application/json", 403},
		{"opaque origin", "POST", "127.0.0.1:7400", "null", "application/json", 403},
		{"non-loopback IP Host", "GET", "192.168.1.5:7400", "", "", 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := reached
			r := httptest.NewRequest(tc.method, "/down", strings.NewReader("{}"))
			r.Host = tc.host
			if tc.origin != "" {
				r.Header.Set("Origin", tc.origin)
			}
			if tc.ctype != "" {
				r.Header.Set("Content-Type", tc.ctype)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.want {
				t.Fatalf("status %d, want %d (%s)", w.Code, tc.want, strings.TrimSpace(w.Body.String()))
			}
			if ran := reached > before; ran != (tc.want == 200) {
				t.Fatalf("handler ran: %v with status %d", ran, w.Code)
			}
		})
	}
}
