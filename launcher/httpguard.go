package launcher

import (
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// guardControl protects the control API from the one caller on this host
// that is not the user: a web page open in the user's browser. Such a page
// can send a POST with a text/plain body to 127.0.0.1 without a CORS
// preflight, and through DNS rebinding even read answers under a name of
// its own. So every request must name a loopback host (Host header), a
// browser's Origin must be a loopback origin, and a POST must declare
// Content-Type application/json, which a page cannot send cross-origin
// without a preflight this API never answers. zkctl's own client
// (Client.call) always sends what passes.
func guardControl(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopbackHost(r.Host) {
			http.Error(w, "control API: Host "+r.Host+" is not a loopback address", http.StatusForbidden)
			return
		}
		if o := r.Header.Get("Origin"); o != "" && !loopbackOrigin(o) {
			http.Error(w, "control API: requests from web pages ("+o+") are refused", http.StatusForbidden)
			return
		}
		if r.Method == http.MethodPost {
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || mt != "application/json" {
				http.Error(w, "control API: POST needs Content-Type: application/json", http.StatusUnsupportedMediaType)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// loopbackHost reports whether a Host header (host or host:port) names
// this machine's loopback interface: localhost or a loopback IP literal.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// loopbackOrigin reports whether an Origin header is an http origin on a
// loopback host ("null", file pages and foreign sites are not).
func loopbackOrigin(origin string) bool {
	u, err := url.Parse(origin)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && loopbackHost(u.Host)
}
