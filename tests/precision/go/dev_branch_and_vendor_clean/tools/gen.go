//go:build ignore

package main

import "os"

func main() {
	_ = os.WriteFile("generated.txt", []byte("x"), 0o644)
}
