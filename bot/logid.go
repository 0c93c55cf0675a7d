package bot

import (
	"crypto/sha256"
	"encoding/hex"
)

// LogID is what logs show of a session id: a short hash that tells sessions apart and lets an
// operator find one whose id a user reports, without putting the id itself in the logs. A session
// id alone grants its whole conversation, so logs must not be a way to obtain one.
func LogID(sessionID string) string {
	if sessionID == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(sessionID))
	return hex.EncodeToString(sum[:4])
}
