package status

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// FuzzAdminRequest feeds arbitrary command names, query strings and
// four-letter words with arguments: no panic, always HTTP 200 or 404.
func FuzzAdminRequest(f *testing.F) {
	f.Add("stmk", "traceMask=12", []byte("stmk"), []byte{0, 0, 0, 0, 0, 0, 0, 1})
	f.Add("events", "since=18446744073709551615", []byte("ruok"), []byte(nil))
	f.Add("nosuch", "", []byte("xxxx"), []byte{1})
	f.Fuzz(func(t *testing.T, name, query string, word, arg []byte) {
		src := leaderFake(t)
		h := NewAdminHandler(src, nil)
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL.Path = "/commands/" + name
		req.URL.RawQuery = url.PathEscape(query)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 && rec.Code != 404 {
			t.Fatalf("HTTP %d for %q", rec.Code, name)
		}
		var w [4]byte
		copy(w[:], word)
		if IsFourLetterWord(w) {
			_ = FourLetterArg(string(w[:]), arg, src, all())
		}
	})
}
