package shopify

import "context"

// publicationsPerRead keeps a read of products' publications within the
// query cost limit: 20 products of up to 25 publications each.
const publicationsPerRead = 20

// Publication is a sales channel's catalogue a product can be published to,
// such as the Online Store or the Point of Sale.
type Publication struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Publications lists the shop's publications.
func (c *Client) Publications(ctx context.Context) ([]Publication, error) {
	return all[Publication](ctx, c, "Publications", map[string]any{"first": 50})
}

// PublishedOn returns, for each product found, the publications it is
// published on (up to 25).
func (c *Client) PublishedOn(ctx context.Context, productIDs []string) (map[string][]string, error) {
	type product struct {
		ID           string `json:"id"`
		Publications Conn[struct {
			Publication struct {
				ID string `json:"id"`
			} `json:"publication"`
		}] `json:"resourcePublications"`
	}
	ps, err := byIDs[product](ctx, c, "ProductPublications", productIDs, publicationsPerRead, func(p product) string { return p.ID })
	out := map[string][]string{}
	for _, p := range ps {
		out[p.ID] = []string{}
		for _, n := range p.Publications.Nodes {
			out[p.ID] = append(out[p.ID], n.Publication.ID)
		}
	}
	return out, err
}

// Publish publishes a product on the publications.
func (c *Client) Publish(ctx context.Context, productID string, publicationIDs []string) error {
	return c.publishable(ctx, "PublishablePublish", productID, publicationIDs)
}

// Unpublish takes a product off the publications.
func (c *Client) Unpublish(ctx context.Context, productID string, publicationIDs []string) error {
	return c.publishable(ctx, "PublishableUnpublish", productID, publicationIDs)
}

func (c *Client) publishable(ctx context.Context, op, productID string, publicationIDs []string) error {
	if len(publicationIDs) == 0 {
		return nil
	}
	input := make([]map[string]any, len(publicationIDs))
	for i, id := range publicationIDs {
		input[i] = map[string]any{"publicationId": id}
	}
	var data map[string]struct {
		UserErrors []UserError `json:"userErrors"`
	}
	if err := c.do(ctx, doc(op), map[string]any{"id": productID, "input": input}, &data); err != nil {
		return err
	}
	for _, payload := range data {
		return userErrors(op, payload.UserErrors)
	}
	return nil
}
