package channels

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

// web holds the chat page, its assets and the widget script: plain files, no build step, nothing
// loaded from elsewhere.
//
//go:embed web
var web embed.FS

// staticHandler serves "/" (the chat page), "/static/*" (its assets), "/widget.js", "/demo" (a
// sample bank page embedding the widget) and the favicons from the embedded files; directories
// are never listed.
func staticHandler() http.Handler {
	root, err := fs.Sub(web, "web")
	if err != nil {
		panic(err) // the embed directive guarantees the directory
	}
	files := http.FileServerFS(root)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Always revalidate: a bank must get a fixed page the moment an instance is upgraded.
		w.Header().Set("Cache-Control", "no-cache")
		switch {
		case r.URL.Path == "/":
			http.ServeFileFS(w, r, root, "index.html")
		case r.URL.Path == "/widget.js":
			// Bank pages load this cross-origin; it carries no data, only code.
			w.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
			http.ServeFileFS(w, r, root, "widget.js")
		case r.URL.Path == "/demo":
			http.ServeFileFS(w, r, root, "demo.html")
		case r.URL.Path == "/favicon.ico", r.URL.Path == "/favicon.svg":
			w.Header().Set("Cache-Control", "public, max-age=86400")
			if strings.HasSuffix(r.URL.Path, ".ico") {
				w.Header().Set("Content-Type", "image/x-icon") // not in Go's built-in table
			}
			http.ServeFileFS(w, r, root, strings.TrimPrefix(r.URL.Path, "/"))
		case strings.HasPrefix(r.URL.Path, "/static/") && !strings.HasSuffix(r.URL.Path, "/"):
			files.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}
