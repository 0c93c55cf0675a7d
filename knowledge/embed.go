package knowledge

import (
	"embed"
	"io/fs"
)

//go:embed zh-CN
var builtIn embed.FS

// Embedded returns the built-in zh-CN knowledge base, rooted at its folder, for Load.
func Embedded() fs.FS {
	sub, err := fs.Sub(builtIn, "zh-CN")
	if err != nil {
		// fs.Sub fails only for an invalid path; "zh-CN" is a constant.
		panic("knowledge: embedded knowledge base: " + err.Error())
	}
	return sub
}
