package webhook

import (
	"net/url"
	"slices"

	"github.com/shopify-odoo/connector/internal/shopify"
)

// Plan is what to change so that Shopify delivers as wanted.
type Plan struct {
	Keep   []shopify.WebhookSubscription
	Create []string // topics
	Delete []string // subscription ids
}

// PlanSubscriptions compares the shop's subscriptions with those wanted:
// every topic of Subscriptions delivered to callback, or none when callback
// is empty. A subscription is the instance's own when its URL has the
// instance's path, whatever the host (the base URL may have changed);
// the others belong to someone else and are left alone.
func PlanSubscriptions(subs []shopify.WebhookSubscription, callback, path string) Plan {
	var p Plan
	kept := map[string]bool{}
	for _, s := range subs {
		u, err := url.Parse(s.URI)
		switch {
		case err != nil || u.Path != path:
		case callback != "" && s.URI == callback && slices.Contains(Subscriptions, s.Topic) && !kept[s.Topic]:
			kept[s.Topic] = true
			p.Keep = append(p.Keep, s)
		default:
			p.Delete = append(p.Delete, s.ID)
		}
	}
	for _, t := range Subscriptions {
		if callback != "" && !kept[t] {
			p.Create = append(p.Create, t)
		}
	}
	return p
}
