package jobs

import (
	"os"
	"testing"
)

func TestSendReminders(t *testing.T) {
	_ = os.WriteFile("out.txt", []byte("x"), 0o644)
	SendReminders()
}
