package shopify

import (
	"bytes"
	"encoding/base64"
	"testing"
)

// FuzzVerifyWebhook: only the signature of the exact body under the secret
// is accepted (in any base64 spelling of it); any other body or signature,
// or an empty secret, is not.
func FuzzVerifyWebhook(f *testing.F) {
	f.Add([]byte("whsec"), []byte(`{"id":820982911946154508,"email":"jon@example.com"}`), "")
	f.Add([]byte("s"), []byte{}, "not base64!")
	f.Add([]byte{}, []byte("body"), Sign(nil, []byte("body")))
	f.Fuzz(func(t *testing.T, secret, body []byte, forged string) {
		good := Sign(secret, body)
		if VerifyWebhook(secret, body, good) != (len(secret) > 0) {
			t.Fatalf("the true signature of %q under %q is not accepted as it should", body, secret)
		}
		if VerifyWebhook(secret, body, forged) {
			mac, _ := base64.StdEncoding.DecodeString(good)
			if got, _ := base64.StdEncoding.DecodeString(forged); !bytes.Equal(got, mac) {
				t.Fatalf("forged signature %q accepted for %q", forged, body)
			}
		}
		if len(body) > 0 && VerifyWebhook(secret, append([]byte{body[0] ^ 1}, body[1:]...), good) {
			t.Fatalf("a changed body is accepted")
		}
	})
}
